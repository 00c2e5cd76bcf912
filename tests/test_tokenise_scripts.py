"""Words that tokenising must see whole: words sprinkled with invisible characters, and scripts
written without spaces (Chinese, Japanese, Thai), end to end through detection."""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import syndidetect as sd
from syndidetect import wordstream
from syndidetect._kernels.words import stream_of, streams_of
from syndidetect.report import PairReport
from syndidetect.sentence_split import sentence_spans
from syndidetect.shingles import tokens
from syndidetect.text import IGNORABLE, normalise
from syndidetect.wordiff import changed_words
from syndidetect.wordstream import narrow_offsets, narrow_widths, token_spans, word_stream

# --- test articles (written for these tests) -------------------------------------------------------

EN_FERRY = [
    "The harbour authority confirmed on Tuesday that the new electric ferry between Kingsport and "
    "the island of Marrow will begin regular service next month, after two years of delays caused by "
    "problems with the charging equipment at both terminals.",
    "The vessel, named Northern Light, carries up to three hundred passengers and forty cars. Its "
    "batteries are recharged during the twenty minutes it spends at each quay, which the operator says "
    "will cut the route's fuel costs by more than half.",
    "Islanders have waited a long time for the change. The diesel ferry it replaces was built in 1987 "
    "and broke down eleven times last winter, leaving residents without a crossing for days at a time.",
    "\"We were promised this boat before the pandemic,\" said Helen Marsh, who runs a bakery on Marrow "
    "and crosses twice a week for supplies. \"If it works as they say, it will change how we live here.\"",
    "The operator said timetables would stay the same for the first three months while crews are "
    "trained, and that fares would not rise this year despite the cost of the new terminals.",
    "Engineers will monitor the batteries closely through the winter, when cold weather reduces their "
    "range, and the old ferry will be kept in reserve until the spring.",
]
EN_HOST = [
    "Home | News | Business | Sport | Weather",
    "Coastal Times > Local > Transport",
    "Posted by the newsdesk. The following report appeared first in a regional daily paper.",
    "{ARTICLE}",
    "Share this story: Facebook, Twitter, Email",
    "Read next: Council approves plans for a new cycle path along the seafront; bus fares to rise in April.",
]

ZH_METRO = [
    "本报讯（记者 王立新）经过近五年的紧张施工，本市地铁七号线一期工程于昨日上午正式开通试运营。这条线路全长约"
    "三十二公里，共设二十四座车站，串联起城东新区、老城商业中心和西部高新技术产业园。",
    "开通仪式在中央公园站举行。市交通运输局局长陈建国在致辞中表示，七号线的开通将使沿线居民的通勤时间平均缩短"
    "二十分钟以上，并有效缓解二号线和五号线的高峰客流压力。",
    "据运营公司介绍，七号线采用六节编组的A型列车，最高运行速度为每小时80公里。早晚高峰时段的发车间隔为三分三十秒，"
    "平峰时段为六分钟，首班车时间为早上六点，末班车时间为晚上十一点。",
    "为方便乘客出行，全线各站均已开通手机扫码和银行卡闪付进站功能，并在换乘站增设了无障碍电梯和母婴室。运营公司"
    "提醒乘客，试运营初期客流较大，请合理安排出行时间。",
    "记者昨日在现场看到，不少市民专程前来体验新线。家住城东新区的退休教师李女士说：“以前去老城看病要倒两趟公交车，"
    "路上得花一个多小时，现在坐地铁半个小时就到了。”",
    "按照规划，七号线二期工程预计将于明年年底开工建设，届时线路将向北延伸至国际机场，全线建成后将成为连接机场和"
    "市中心的又一条快速通道。",
]
# The same event, reported independently: the same names, places and figures, other sentences.
ZH_METRO_OTHER = [
    "昨天上午九点，随着一列银白色列车缓缓驶出中央公园站，地铁七号线一期正式投入试运营，全市轨道交通运营里程由此"
    "突破三百公里。",
    "七号线一期自东向西穿越城东新区、老城区和高新区，设站二十四座，其中换乘站六座。线路投入运营后，城东新区至老城"
    "商业中心的出行时间将由原来的一个小时左右缩短至半小时以内。",
    "市交通运输局有关负责人在接受采访时说，七号线是今年全市交通建设的重点项目之一，它的开通对于完善城市路网结构、"
    "带动沿线土地开发具有重要意义。",
    "试运营首日，各车站秩序井然。在老城商业中心站，工作人员正在引导首次乘坐的市民购票进站。一位带着孙子前来乘车的"
    "张大爷告诉记者，自己特意赶来坐第一趟车，“图个新鲜，也看看咱们城市的变化”。",
    "运营方表示，试运营期间将根据客流情况适时调整行车间隔，并将持续收集乘客意见，对车站导向标识和换乘设施进行优化。",
    "另据了解，七号线二期北延工程目前正在开展前期研究，建成后可直达国际机场。",
]
ZH_HOST = [
    "首页 | 新闻 | 财经 | 科技 | 体育 | 娱乐",
    "城市生活网 > 本地新闻 > 交通出行",
    "近日，多家媒体报道了本市轨道交通建设的最新进展，本站整理转载如下，供读者参考。",
    "{ARTICLE}",
    "（来源：城市日报　责任编辑：赵敏）",
    "相关阅读：本市公交线路今年将新增二十条，覆盖更多新建小区；出租车起步价调整方案公开征求意见。",
    "版权声明：本站部分内容来源于网络，如有侵权请联系删除。联系电话：010-12345678",
]

JA_SAKURA = [
    "気象庁は二十日、東京都心で桜（ソメイヨシノ）が開花したと発表した。平年より四日早く、昨年と比べると三日早い"
    "開花となった。靖国神社の標本木で五、六輪以上の花が咲いているのを職員が確認した。",
    "今年は二月以降、気温の高い日が続いたことから、つぼみの生育が順調に進んだという。気象庁によると、満開は一週間"
    "から十日後の見込みで、今月末には都内各地で見頃を迎えそうだ。",
    "開花の発表を受けて、上野公園や千鳥ヶ淵などの名所には、平日にもかかわらず多くの人が訪れた。スマートフォンで"
    "写真を撮ったり、ベンチに座って弁当を広げたりして、春の訪れを楽しんでいた。",
    "会社員の田中さん（34）は「毎年この時期を楽しみにしている。今週末は家族でお花見に来たい」と笑顔で話した。"
    "外国人観光客の姿も目立ち、英語や中国語で会話をしながら花を見上げる人たちもいた。",
    "一方、東京都は花見客の増加に備え、公園内のごみの持ち帰りや、夜間の騒音に注意するよう呼びかけている。一部の"
    "公園では、混雑を避けるために通路を一方通行にする対策も取られる予定だ。",
    "全国では、福岡市や高知市などですでに開花が発表されており、桜前線は今後、北へと進んでいく。気象庁は、東北地方"
    "では四月中旬ごろ、北海道では五月上旬ごろの開花を予想している。",
]
JA_SAKURA_OTHER = [
    "東京の桜が二十日、開花した。気象庁の職員が午後二時ごろ、靖国神社の標本木を観察し、基準となる五輪以上の花を"
    "確認した。",
    "今年の開花は平年より四日早い。三月に入ってから暖かい日が多かったことが影響したとみられる。",
    "千鳥ヶ淵の周辺では、開花の知らせを聞いて駆けつけた人たちが、咲き始めたばかりの花に次々とカメラを向けていた。"
    "近くに住む七十代の女性は「今年も無事に桜が見られてうれしい」と話した。",
    "都内の主な花見の名所では、週末にかけて人出が増える見通しだ。上野公園を管理する東京都は、宴会の場所取りの"
    "ルールを守るよう利用者に呼びかけている。",
    "民間の気象会社によると、東京の満開は月末ごろになる見込みだ。週明けには気温が下がる予報もあり、花が長く"
    "楽しめる可能性がある。",
    "桜の開花は各地で早まっており、専門家は温暖化の影響を指摘している。",
]
JA_HOST = [
    "ホーム | ニュース | 経済 | スポーツ | 天気",
    "まとめ速報 > 季節の話題",
    "各紙の報道をまとめました。以下、記事の全文です。",
    "{ARTICLE}",
    "この記事をシェアする：メール、SNS",
    "関連記事：週末の天気は全国的に晴れ、行楽日和に。",
]

TH_FLOOD = [
    "กรมอุตุนิยมวิทยาประกาศเตือนว่า ในช่วงวันที่ 12 ถึง 15 กันยายนนี้ ร่องมรสุมจะพาดผ่านภาคเหนือตอนล่างและ"
    "ภาคตะวันออกเฉียงเหนือ ส่งผลให้หลายพื้นที่มีฝนตกหนักถึงหนักมาก ประชาชนควรระวังอันตรายจากน้ำป่าไหลหลากและ"
    "น้ำท่วมฉับพลัน",
    "นายสมชาย ใจดี อธิบดีกรมป้องกันและบรรเทาสาธารณภัย กล่าวว่า ได้สั่งการให้สำนักงานป้องกันและบรรเทาสาธารณภัย"
    "ทุกจังหวัดเตรียมเครื่องจักรกลและเจ้าหน้าที่ให้พร้อมเข้าช่วยเหลือประชาชนได้ตลอด 24 ชั่วโมง",
    "ขณะที่จังหวัดสุโขทัยและพิษณุโลก ระดับน้ำในแม่น้ำยมเพิ่มสูงขึ้นอย่างต่อเนื่อง เจ้าหน้าที่ได้นำกระสอบทรายมาวาง"
    "เป็นแนวกั้นน้ำบริเวณริมตลิ่ง เพื่อป้องกันไม่ให้น้ำไหลเข้าท่วมบ้านเรือนและพื้นที่การเกษตร",
    "ชาวบ้านในตำบลบ้านกล้วยรายหนึ่งเล่าว่า เมื่อปีที่แล้วน้ำท่วมสูงเกือบหนึ่งเมตร ทำให้นาข้าวเสียหายทั้งหมด "
    "ปีนี้จึงรีบเก็บเกี่ยวข้าวก่อนกำหนด และย้ายสิ่งของมีค่าขึ้นไปไว้ชั้นบนของบ้านแล้ว",
    "ด้านกรมชลประทานระบุว่า เขื่อนขนาดใหญ่ในภาคเหนือยังสามารถรองรับน้ำได้อีกมาก แต่ได้เร่งระบายน้ำออกจาก"
    "เขื่อนขนาดกลางบางแห่งที่มีปริมาณน้ำเกินร้อยละ 80 ของความจุ เพื่อเตรียมรับน้ำฝนที่จะตกลงมาเพิ่ม",
    "ทั้งนี้ ประชาชนสามารถติดตามข่าวสารและแจ้งเหตุขอความช่วยเหลือได้ที่สายด่วน 1784 ตลอด 24 ชั่วโมง "
    "หรือติดตามประกาศของกรมอุตุนิยมวิทยาได้ทางเว็บไซต์และแอปพลิเคชันของหน่วยงาน",
]
TH_FLOOD_OTHER = [
    "ฝนที่ตกหนักต่อเนื่องตลอดสัปดาห์ที่ผ่านมา ทำให้หลายจังหวัดในภาคเหนือตอนล่างเริ่มมีน้ำท่วมขัง "
    "โดยเฉพาะพื้นที่ลุ่มต่ำริมแม่น้ำยมและแม่น้ำน่าน",
    "ผู้ว่าราชการจังหวัดสุโขทัยลงพื้นที่ตรวจสอบแนวคันกั้นน้ำเมื่อวานนี้ พร้อมสั่งให้ทุกอำเภอจัดตั้งศูนย์พักพิงชั่วคราว"
    "สำหรับผู้ที่ต้องอพยพ และเตรียมเรือท้องแบนไว้อย่างน้อยอำเภอละ 5 ลำ",
    "นักวิชาการด้านการจัดการน้ำมองว่า ปัญหาน้ำท่วมซ้ำซากในลุ่มน้ำยมเกิดจากการไม่มีเขื่อนขนาดใหญ่ช่วยชะลอน้ำ "
    "จึงควรเร่งพัฒนาแก้มลิงและพื้นที่รับน้ำนองในระยะยาว",
    "เกษตรกรหลายรายกังวลว่าผลผลิตข้าวนาปีจะเสียหาย เนื่องจากข้าวส่วนใหญ่ยังไม่ถึงระยะเก็บเกี่ยว "
    "บางรายตัดสินใจเกี่ยวข้าวทั้งที่ยังไม่สุกเต็มที่เพื่อลดความเสียหาย",
    "สำนักงานป้องกันและบรรเทาสาธารณภัยจังหวัดพิษณุโลกรายงานว่า ขณะนี้มีบ้านเรือนได้รับผลกระทบแล้วกว่า "
    "300 หลังคาเรือน ยังไม่มีรายงานผู้เสียชีวิต",
    "กรมอุตุนิยมวิทยาคาดว่าปริมาณฝนจะลดลงในช่วงปลายสัปดาห์ แต่ยังต้องเฝ้าระวังน้ำที่ไหลลงมาจากพื้นที่ตอนบน"
    "อย่างใกล้ชิด",
]
TH_HOST = [
    "หน้าแรก | ข่าว | เศรษฐกิจ | กีฬา | บันเทิง",
    "ข่าวท้องถิ่น > ภัยพิบัติ",
    "รวบรวมข่าวจากหลายสำนักข่าว เพื่อให้ผู้อ่านติดตามสถานการณ์ได้ในที่เดียว",
    "{ARTICLE}",
    "แชร์ข่าวนี้ : เฟซบุ๊ก ไลน์ อีเมล",
]

ARTICLES = {
    "en": (EN_FERRY, EN_HOST),
    "zh": (ZH_METRO, ZH_HOST),
    "ja": (JA_SAKURA, JA_HOST),
    "th": (TH_FLOOD, TH_HOST),
}
SAME_TOPIC = {"zh": (ZH_METRO, ZH_METRO_OTHER), "ja": (JA_SAKURA, JA_SAKURA_OTHER), "th": (TH_FLOOD, TH_FLOOD_OTHER)}

# Invisible characters a copy may be sprinkled with: Unicode's default ignorable code points, from
# the common (zero-width space and joiners, soft hyphen, word joiner, BOM) to the rare.
INVISIBLE = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u180e", "\u2061", "\u2062", "\u2063",
    "\u2064", "\u034f", "\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069", "\ufe0f", "\u3164",
    "\U000e0041", "\U000e0100", "\u061c", "\u17b4",
]


def page(paragraphs: list[str], host: list[str]) -> str:
    """The article's paragraphs inside a host page (menus, credits, related links around it)."""
    return "\n\n".join("\n\n".join(paragraphs) if part == "{ARTICLE}" else part for part in host)


def sprinkle(text: str, every: int = 3) -> str:
    """``text`` with an invisible character before every ``every``-th letter that follows a letter
    (inside a word, or between two characters of a script written without spaces)."""
    chars = itertools.cycle(INVISIBLE)
    out, previous, count = [], "", 0
    for char in text:
        if char.isalpha() and previous.isalpha():
            count += 1
            if count % every == 0:
                out.append(next(chars))
        out.append(char)
        previous = char
    return "".join(out)


def one_pair(docs: list[sd.Document]) -> PairReport:
    report = sd.detect(docs)
    assert len(report.pairs) == 1, report.pairs
    return report.pairs[0]


def source_paragraphs(pair: PairReport, source: str) -> set[int]:
    """The paragraphs of ``source`` that the pair's passages cover."""
    side = pair.documents.index(source)
    return {i for p in pair.passages for i in p.paragraphs[side]}


# --- invisible characters ---------------------------------------------------------------------------


def test_invisible_characters_inside_words_are_ignored() -> None:
    assert tokens("in\u00advis\u200bible co\u200cpy\u2060cat s\ufeffoft") == ["invisible", "copycat", "soft"]
    assert tokens("e\u200b\u0301") == tokens("é")  # what the character separated composes
    assert tokens("1\u200b2 , \u200b ,") == ["12"]
    assert normalise("zero\u200bwidth\u00ad") == "zerowidth"


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_copy_sprinkled_with_invisible_characters_is_found_as_the_clean_copy(lang: str) -> None:
    article, host = ARTICLES[lang]
    source = "\n\n".join(article)
    clean = one_pair([sd.Document("source", source), sd.Document("copy", page(article, host))])
    sprinkled_text = sprinkle(page(article, host))
    assert sum(map(sprinkled_text.count, INVISIBLE)) > 100
    dirty = one_pair([sd.Document("source", source), sd.Document("copy", sprinkled_text)])
    assert (dirty.verdict, dirty.kind) == (clean.verdict, clean.kind) == ("copy", "verbatim")
    assert [m.kind for m in dirty.matches] == [m.kind for m in clean.matches]
    assert source_paragraphs(dirty, "source") == source_paragraphs(clean, "source") == set(range(len(article)))
    texts = {"source": source, "copy": sprinkled_text}
    for dirty_passage, clean_passage in zip(dirty.passages, clean.passages, strict=True):
        for span, clean_span in zip(dirty_passage.spans, clean_passage.spans, strict=True):
            assert span.text == texts[span.document][span.start : span.end]  # spans index the original
            assert IGNORABLE.sub("", span.text) == clean_span.text
    for match in dirty.matches:
        for ref in match.paragraphs:
            assert ref.text == texts[ref.document][ref.start : ref.end]


def test_word_stream_of_a_sprinkled_text_equals_the_clean_one() -> None:
    text = page(EN_FERRY, EN_HOST)
    dirty = sprinkle(text, every=1)
    np.testing.assert_array_equal(word_stream(dirty, 3).grams, word_stream(text, 3).grams)
    words, starts, ends = token_spans(dirty)
    assert words == tokens(text)
    assert [IGNORABLE.sub("", dirty[s:e]).lower() for s, e in zip(starts, ends)] == words


# --- scripts written without spaces -----------------------------------------------------------------


def test_chinese_and_japanese_give_a_token_per_character() -> None:
    assert tokens("地铁七号线开通了。") == list("地铁七号线开通了")
    assert tokens("東京タワーにのぼった") == list("東京タワーにのぼった")
    assert tokens("ｶﾞｲﾄﾞ") == ["ガ", "イ", "ド"]  # halfwidth kana and voiced marks, as NFKC composes them
    assert tokens("iPhone手机 GDP增长5.2%") == ["iphone", "手", "机", "gdp", "增", "长", "5", "2"]
    assert tokens("서울 지하철 칠호선이 개통했다") == ["서울", "지하철", "칠호선이", "개통했다"]  # spaces: words


def test_thai_lao_khmer_myanmar_runs_are_cut_into_word_sized_tokens_with_marks_attached() -> None:
    marks = ("Mn", "Mc", "Me")
    for text in [*TH_FLOOD, "ที่นี่ ทำ", "ທີ່ ລາວ ພາສາລາວ", "ខ្មែរ ភាសាខ្មែរ", "မြန်မာ ဘာသာစကား"]:
        words = tokens(text)
        assert "".join(words) == "".join(tokens(text.replace(" ", "")))  # a cut loses nothing
        assert not any(unicodedata.category(w[0]) in marks for w in words)  # vowel signs, tone marks
    letters = [sum(not unicodedata.category(c).startswith("M") for c in w) for p in TH_FLOOD for w in tokens(p)
               if unicodedata.category(w[0]) == "Lo"]
    assert 2.5 <= np.mean(letters) <= 5  # about a Thai word
    assert tokens("ปี ๒๕๖๗") == ["ปี", "๒๕๖๗"]  # digits stay a number


@pytest.mark.parametrize("prefix", ["", "ข่าว", "รายงานข่าวล่าสุด", "x ", "ก"])
def test_thai_copy_is_cut_as_its_source_after_the_first_cut(prefix: str) -> None:
    """Cuts depend on the letters around them only: a copy inside other text is cut as the source
    is, but for the source's first token."""
    source = TH_FLOOD[2]
    assert len(tokens(source)) > 2 * len(source.split())  # clauses are cut into words
    assert tokens(prefix + source)[-(len(tokens(source)) - 1):] == tokens(source)[1:]


@pytest.mark.parametrize("lang", ["zh", "ja", "th"])
def test_verbatim_copy_embedded_in_a_page_covers_every_paragraph(lang: str) -> None:
    article, host = ARTICLES[lang]
    source = "\n\n".join(article)
    other = "\n\n".join(SAME_TOPIC[lang][1])
    report = sd.detect([sd.Document("source", source), sd.Document("copy", page(article, host)),
                        sd.Document("other", other)])
    copies = [p for p in report.pairs if p.verdict == "copy"]
    assert [sorted(p.documents) for p in copies] == [["copy", "source"]]
    pair = copies[0]
    assert pair.kind == "verbatim"
    assert [p.kind for p in pair.passages] == ["verbatim"]
    assert source_paragraphs(pair, "source") == set(range(len(article)))
    assert len(pair.matches) == len(article) and {m.kind for m in pair.matches} == {"verbatim"}
    # The same story in other words: at most related (they share names, places and figures).
    assert all(p.verdict != "copy" for p in report.pairs if "other" in p.documents)


@pytest.mark.parametrize("lang", ["zh", "ja", "th"])
def test_articles_on_one_story_are_not_copies_of_each_other(lang: str) -> None:
    """Same names, places and figures in other sentences: not a copy; and the article's own copy,
    in the same run, still is (so the test cannot pass by finding nothing)."""
    first, second = SAME_TOPIC[lang]
    report = sd.detect([sd.Document("first", "\n\n".join(first)), sd.Document("second", "\n\n".join(second)),
                        sd.Document("copy", "\n\n".join(first[1:]))])
    verdicts = {tuple(sorted(p.documents)): (p.verdict, p.kind) for p in report.pairs}
    assert verdicts.pop(("copy", "first")) == ("copy", "verbatim")
    assert all(verdict != "copy" for verdict, _ in verdicts.values()), verdicts


def test_one_quoted_chinese_sentence_is_not_a_copy() -> None:
    quoted = ZH_METRO[1].split("。")[1] + "。"
    other = [*ZH_METRO_OTHER[:2], "据报道，" + quoted, *ZH_METRO_OTHER[2:]]
    report = sd.detect([sd.Document("a", "\n\n".join(ZH_METRO)), sd.Document("b", "\n\n".join(other))])
    assert [(p.verdict, p.kind) for p in report.pairs] == [("related", "verbatim")]
    assert [quoted in p.spans[1].text for p in report.pairs[0].passages] == [True]


def test_a_chinese_paragraph_of_eighty_characters_is_matchable() -> None:
    paragraph = ZH_METRO[2]
    assert 80 <= len(paragraph) <= 100 and len(tokens(paragraph)) >= sd.Config().min_words
    rest = "\n\n".join(ZH_METRO_OTHER)
    pair = one_pair([sd.Document("a", rest + "\n\n" + paragraph), sd.Document("b", paragraph)])
    assert pair.verdict == "copy" and [m.kind for m in pair.matches] == ["verbatim"]


def test_chinese_and_japanese_sentences_end_at_ideographic_stops() -> None:
    text = JA_SAKURA[3]
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "会社員の田中さん（34）は「毎年この時期を楽しみにしている。今週末は家族でお花見に来たい」と笑顔で話した。",
        "外国人観光客の姿も目立ち、英語や中国語で会話をしながら花を見上げる人たちもいた。",
    ]
    assert len(sentence_spans(ZH_METRO[0])) == 2


def test_changed_words_in_chinese_are_characters() -> None:
    changed_a, changed_b = changed_words("我们今天去北京", "我们明天去北京")
    assert changed_a == changed_b == [False, False, True, False, False, False, False]


# --- the word stream is the token list, with spans --------------------------------------------------

_PIECES = [
    *"abcXYZ019 ,.-'\n&;#",
    *"éßİΣﬁ½Ｔ\u0345",
    *INVISIBLE,
    *"\u0301\u0308\u0e31\u0e48\u0e33",
    *"这是日本語のテキストカタカナｶﾞﾟภาษาไทยກິນខ្មែរမြန်한국",
    "&amp;", "&shy;", "&#8203;", "&eacute;", "&#x41;",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_word_stream_tokens_are_the_shingle_tokens(text: str) -> None:
    words, starts, ends = token_spans(text)
    assert words == tokens(text)
    assert np.all(starts < ends) and np.all(np.diff(starts) >= 0) and np.all(np.diff(ends) >= 0)
    for word, start, end in zip(words, starts.tolist(), ends.tolist()):
        assert word in normalise(text[start:end]) or "&" in text[start:end], (word, text[start:end])


@given(st.text(max_size=300))
def test_word_stream_keeps_token_spans_as_int32(text: str) -> None:
    _, starts, ends = token_spans(text)
    stream = word_stream(text, 3)
    assert stream.starts.dtype == np.int32 and stream.ends.dtype == np.int32
    assert stream.starts.tolist() == starts.tolist() and stream.ends.tolist() == ends.tolist()


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)))
def test_word_stream_keeps_each_tokens_width_in_a_byte_and_gives_its_ends(text: str) -> None:
    """A stream keeps how many characters each token spans, a byte each when all fit, and gives the
    ends of token_spans: all at once, one by one, and how many tokens end by each character."""
    _, _, ends = token_spans(text)
    for stream in (word_stream(text, 3), stream_of(text, 3), streams_of(["Other text.", text], 3)[1]):
        assert stream.widths.dtype == np.uint8  # no token here spans 256 characters
        assert stream.ends.dtype == stream.starts.dtype and stream.ends.tolist() == ends.tolist()
        assert [stream.end(k) for k in range(len(stream))] == ends.tolist()
        for char in range(len(text) + 2):
            assert stream.tokens_ending_by(char) == int(np.searchsorted(ends, char, side="right"))


def test_a_token_wider_than_a_byte_keeps_its_own_texts_widths_wide() -> None:
    """A token of 256 characters or more (a URL, a hash) is kept whole: its text's widths are as wide
    as its offsets; the other texts read in the same call keep a byte a token."""
    long_token = "https://example.org/" + "a1b2c3d4" * 40  # 340 characters, one token
    texts = ["Short words only here.", f"See {long_token} for the rest.", "More short words."]
    for text, stream in zip(texts, streams_of(texts, 3)):
        _, starts, ends = token_spans(text)
        wide = (ends - starts).max() > 255
        assert stream.widths.dtype == (np.int32 if wide else np.uint8)
        assert stream.ends.tolist() == ends.tolist() == word_stream(text, 3).ends.tolist()
        assert [stream.tokens_ending_by(c) for c in range(len(text) + 1)] == [
            int(np.searchsorted(ends, c, side="right")) for c in range(len(text) + 1)]
    assert [s.widths.dtype for s in streams_of(texts, 3)] == [np.uint8, np.int32, np.uint8]
    assert narrow_widths(np.array([0, 255], dtype=np.int32)).dtype == np.uint8
    assert narrow_widths(np.array([3, 256], dtype=np.int64)).tolist() == [3, 256]


def test_offsets_of_a_text_past_int32_stay_int64(monkeypatch: pytest.MonkeyPatch) -> None:
    offsets = np.array([0, 2**31 + 5], dtype=np.int64)
    assert narrow_offsets(offsets, 2**31).dtype == np.int64
    assert narrow_offsets(offsets[:1], 2**31 - 1).dtype == np.int32
    monkeypatch.setattr(wordstream, "MAX_INT32_TEXT", 10)  # a "long" text, without 2 GB of it
    stream = word_stream("eleven chars and more", 3)
    assert stream.starts.dtype == np.int64 and stream.starts.tolist() == [0, 7, 13, 17]
