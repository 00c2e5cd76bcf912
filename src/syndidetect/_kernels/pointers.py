"""An address as a pointer in compiled code: the one thing numba has no function for, which
:mod:`syndidetect._kernels.str_storage`'s in-place reading needs (``numba.carray`` then views the
memory there). Importing this module imports numba: :class:`~syndidetect._kernels.jit.LazyJit`
does so when it compiles."""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

__all__ = ["address_pointer", "prefetch"]

_PREFETCH = "llvm.prefetch.p0"  # LLVM's prefetch for a pointer of address space 0 (opaque pointers)


@intrinsic
def address_pointer(typingctx: Any, address: Any) -> Any:
    """``void *`` at ``address`` (an unsigned 64-bit integer), for ``numba.carray``."""
    if address != types.uint64:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.inttoptr(args[0], ir.IntType(8).as_pointer())

    return types.voidptr(types.uint64), codegen


@intrinsic
def prefetch(typingctx: Any, address: Any) -> Any:
    """Ask the processor to bring the cache line at ``address`` in (LLVM's ``llvm.prefetch``: a read,
    kept in every cache level)."""
    if address != types.uint64:
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        pointer_type = ir.IntType(8).as_pointer()
        pointer = builder.inttoptr(args[0], pointer_type)
        i32 = ir.IntType(32)
        kind = ir.FunctionType(ir.VoidType(), [pointer_type, i32, i32, i32])
        module = builder.module
        function = module.globals.get(_PREFETCH) or ir.Function(module, kind, _PREFETCH)
        builder.call(function, [pointer, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(types.uint64), codegen
