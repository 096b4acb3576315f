// SPDX-License-Identifier: Apache-2.0
// Built-in stopword lists for the text analyzer, written for massline from the grammar of
// each language: articles, pronouns, prepositions, conjunctions, auxiliaries and modal verbs,
// and the adverbs and quantifiers that carry no theme of their own. Words are case-folded.
//
// Negations ("no", "not", "nothing", "nie", "jamais", ...) are stopwords on purpose. "No
// parking" still yields "park", which is what puts the answer with the other parking answers;
// a term "no" of its own would tie together unrelated complaints and nothing else. Prepositions
// that carry meaning in survey answers ("off" in "time off", "outside" in "outside seating")
// are left out.
//
// "=word" marks a stopword matched exactly only: its stem is shared with common content words
// ("quite" and "quit"), so words sharing its stem are kept.
#include "stopwords.hpp"

namespace ml::detail {
namespace {

constexpr std::string_view kEnglish = R"(
# Articles and determiners
a an the this that these those
# Personal, possessive and reflexive pronouns
i me my =mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
one ones oneself
# Indefinite pronouns
anybody anyone anything anywhere everybody everyone everything everywhere
somebody someone something somewhere somehow
# Question words and relatives
what whatever which whichever who whoever whom whose where wherever whereas whereby
when whenever why how however
# Prepositions
about above across after against along alongside amid among amongst around as at before
behind below beneath beside besides between beyond by despite down during =except for from
in into like near of on onto out over per since than through throughout till to toward
towards =under underneath unlike until up upon via vs with within without
# Conjunctions
and but or nor so yet if unless because cos coz although though while whilst whether
either neither both
# Auxiliaries and modal verbs
am is are was were be been being have has had having do =does did doing done
=will would shall should =can could may might must ought
# Contractions, also as typed without the apostrophe
i'm i've i'd i'll you're you've you'd you'll he's he'd he'll she's she'd she'll
it's it'd it'll we're we've we'd we'll they're they've they'd they'll
that's that'd that'll there's there're there'd there'll here's what's who's where's how's
let's isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't
wouldn't shan't shouldn't can't cannot couldn't mustn't mightn't needn't ain't
im ive youre youve theyre theyve isnt arent wasnt werent hasnt havent hadnt doesnt dont
didnt wont wouldnt shouldnt cant couldnt mustnt thats theres whats lets
# Negation (see the note at the top of the file)
no not nothing none nobody nowhere never
# Adverbs of degree, frequency, time, place and focus
very too =quite rather really just only =even still already again ever always often
sometimes usually once twice then now here there almost nearly maybe perhaps =probably
especially enough instead indeed anyway anyhow otherwise therefore thus hence moreover
furthermore meanwhile nevertheless nonetheless also =well
# Quantifiers
all any each every some other others another such same else much many more most less
least few fewer lot lots bit little
# Words that fill typed answers
ok okay oh yes yeah =please pls thanks thank etc eg ie e.g i.e thing things stuff
)";

constexpr std::string_view kSpanish = R"(
# Artículos y demostrativos
el la los las lo un una unos unas uno al del
este esta estos estas esto ese esa esos esas eso aquel aquella aquellos aquellas aquello
# Pronombres personales y posesivos
yo me mi mí mis mío mía míos mías conmigo tú tu tus te ti contigo tuyo tuya tuyos tuyas
usted ustedes él ella ello ellos ellas le les se sí consigo su sus suyo suya suyos suyas
nosotros nosotras nos nuestro nuestra nuestros nuestras
vosotros vosotras os vuestro vuestra vuestros vuestras
# Relativos e interrogativos
que qué quien quién quienes quiénes cual cuál cuales cuáles cuyo cuya cuyos cuyas
donde dónde cuando cuándo =como =cómo cuanto cuánto cuanta cuánta cuantos cuántos cuantas
cuántas
# Preposiciones
a ante con =contra de desde durante en entre hacia hasta mediante =para por según sin
=sobre tras
# Conjunciones
y e ni o u pero sino aunque porque pues si mientras
# Verbos auxiliares: ser, estar, haber, tener
ser soy eres es somos sois =son era eras éramos erais eran fue fui fuiste fuimos fueron
sea seas seamos sean sido siendo sería serían será serán
estar estoy estás está estamos estáis están estaba estabas estábamos estaban estuvo
estuvieron esté estés estén estando
haber he has ha hemos habéis han había habías habíamos habían hubo habido hay haya
hayan habría habrían habrá
tener tengo tienes tiene tenemos tenéis tienen tenía teníamos tenían tuvo tenido
# Negación (véase la nota al principio)
no =nada nadie ningún ninguno ninguna nunca jamás tampoco
# Adverbios y cuantificadores
muy mucho mucha muchos muchas poco poca pocos pocas =más =mas menos tan tanto tanta tantos
tantas demasiado demasiada demasiados demasiadas todo toda todos todas algo alguien
alguno alguna algunos algunas algún otro otra otros otras mismo misma mismos mismas cada
demás también ya aún todavía =solo =sólo =solamente siempre casi bien así entonces luego
además después antes ahora aquí allí ahí allá acá
# Palabras de relleno
=vale ok gracias =favor etc
)";

constexpr std::string_view kFrench = R"(
# Articles et déterminants
le la les un une des du de au aux ce cet cette ces
mon ma mes ton ta tes =son sa ses notre nos votre vos leur leurs
# Pronoms
je me moi tu te toi il elle on nous vous ils elles se soi lui eux y en
qui que quoi dont où lequel laquelle lesquels lesquelles auquel auxquels duquel
ceci cela ça celui celle ceux celles celui-ci celle-ci
# Prépositions
à dans par pour sur sous avec sans chez entre vers contre depuis pendant avant après
selon malgré parmi envers =dès
# Conjonctions
et ou ni mais donc or car si =comme quand lorsque puisque =parce quoique
# Auxiliaires : être, avoir
être suis es est sommes êtes sont étais était étions étiez étaient été serai sera serons
seront serais serait serions seraient sois soit soyons soient fut
avoir ai as a avons avez ont avais avait =avions aviez avaient eu aurai aura aurons auront
aurais aurait aurions auraient aie aies ait aient
# Négation (voir la note en tête du fichier)
ne pas non jamais rien aucun aucune nul nulle
# Adverbes et quantificateurs
très trop aussi bien peu beaucoup assez encore déjà toujours souvent parfois ici là
alors puis ensuite même mêmes autre autres tout tous toute toutes chaque quelque
quelques plusieurs =tel =telle =tels =telles certains certaines plus moins tant
# Mots de remplissage
oui ok merci svp etc
)";

constexpr std::string_view kGerman = R"(
# Artikel und Demonstrativa
der die das den dem des ein eine einer eines einem einen
dieser diese dieses diesem diesen jener jene jenes jenem jenen
# Pronomen
ich mich mir mein meine meiner meines meinem meinen
du dich dir dein deine deiner deines deinem deinen
er ihn ihm sein seine seiner seines seinem seinen
sie ihr ihre ihrer ihres ihrem ihren es
wir uns unser unsere unserer unseres unserem unseren
euch euer eure eurer eures eurem euren man =sich selbst selber
wer wen wem wessen was welcher welche welches welchem welchen
wo wohin woher wann wie warum weshalb wieso
# Präpositionen, auch mit Artikel verschmolzen
an auf aus bei bis durch für gegen hinter in im ins am ans beim vom zum zur mit nach
neben ohne seit über um unter von vor während =wegen zu zwischen trotz
# Konjunktionen
und oder aber denn sondern doch dass ob weil wenn als =falls obwohl damit sowie bzw
# Hilfs- und Modalverben
bin bist ist sind seid war warst waren =wart gewesen wäre wären sei
haben habe hast hat habt hatte hattest hatten gehabt hätte hätten
werden werde wirst wird werdet wurde wurden geworden würde würden
können kann kannst könnt konnte konnten könnte könnten
müssen muss musst müsst musste mussten müsste müssten
sollen soll sollst sollt sollte sollten
wollen will willst wollt wollte wollten
dürfen darf darfst dürft durfte dürfte mögen mag magst möchte möchten
# Verneinung (siehe die Anmerkung am Anfang der Datei)
nicht nichts nie niemals niemand kein keine keiner keines keinem keinen
# Adverbien, Partikeln und Mengenwörter
sehr auch noch =schon nur mal einfach eben ja so sonst dann da dort hier jetzt =immer oft
wieder etwas viel viele vielen mehr =meist =meistens weniger wenig ganz gar alle alles allem
allen aller jede jeder jedes jedem jeden manche manchen einige einigen =andere =anderen
=anderer =anderes beide beiden eigentlich vielleicht
# Füllwörter
=bitte danke ok usw etc zb
)";

constexpr std::string_view kPortuguese = R"(
# Artigos e contrações
o a os as um uma uns umas ao aos à às do da dos das no na nos nas dum duma num numa
pelo pela pelos pelas
# Demonstrativos
este esta estes estas isto esse essa esses essas isso aquele aquela aqueles aquelas aquilo
# Pronomes
eu me mim comigo meu minha meus minhas tu te ti contigo teu tua teus tuas você vocês
ele ela eles elas lhe lhes se si consigo seu sua seus suas dele dela deles delas
nós conosco nosso nossa nossos nossas vós vos vosso vossa vossos vossas
que quê quem qual quais cujo cuja cujos cujas onde quando =como quanto quanta quantos
quantas
# Preposições
de em =para por =com sem =sobre entre até desde contra sob após ante perante durante
conforme
# Conjunções
e ou mas porém nem pois porque embora enquanto
# Verbos auxiliares: ser, estar, ter, haver
ser sou é somos são era eram foi fui foram seja sejam sido sendo seria seriam será serão
estar estou está estamos estão estava estavam esteve estiveram esteja estejam estando
ter tenho =tem =temos têm tinha tinham teve tiveram tido terá teria
haver há havia houve haja
# Negação (ver a nota no início do ficheiro)
não nada nunca ninguém nenhum nenhuma jamais
# Advérbios e quantificadores
muito muita muitos muitas pouco pouca poucos poucas mais menos tão tanto tanta tantos
tantas demais todo toda todos todas tudo algo alguém algum alguma alguns algumas outro
outra outros outras mesmo mesma mesmos mesmas =cada também já ainda só apenas sempre quase
bem assim então depois antes agora aqui =ali lá aí
# Palavras de preenchimento
sim ok obrigado obrigada favor etc
)";

constexpr std::string_view kItalian = R"(
# Articoli e preposizioni articolate
il lo la i gli le un uno una
del dello della dei degli delle al allo alla ai agli alle dal dallo dalla dai dagli dalle
nel nello nella nei negli nelle sul sullo sulla sui sugli sulle col coi
# Dimostrativi
questo questa questi queste quello quella quelli quelle quel quei
# Pronomi
io me mi mio mia miei mie tu te ti tuo tua tuoi tue lui lei egli esso essa essi esse
ne ci vi si sé suo sua suoi sue noi nostro nostra nostri nostre voi vostro vostra
vostri vostre loro
che =chi cui quale quali dove quando =come quanto quanta quanti quante
# Preposizioni
di a da in con su per tra fra senza sopra sotto =verso contro durante dopo prima oltre
presso
# Congiunzioni
e ed o od ma però né se anche pure oppure quindi dunque mentre sebbene benché perché
# Verbi ausiliari: essere, avere, stare
essere sono sei è siamo siete era erano fu furono sia siano stato stata stati state
sarà saranno sarebbe sarebbero essendo
avere ho hai ha abbiamo avete hanno aveva avevano ebbe avuto abbia abbiano avrà avrebbe
avrebbero stare sto sta stiamo stanno stava stavano
# Negazione (vedi la nota all'inizio del file)
non nulla niente nessuno nessuna mai
# Avverbi e quantificatori
molto molta molti molte poco poca pochi poche po più meno tanto tanta tanti tante troppo
troppa troppi troppe tutto tutta tutti tutte qualche qualcosa qualcuno alcuni alcune
altro altra altri altre stesso stessa stessi stesse ogni ciascuno già ancora =solo
soltanto sempre quasi bene così allora poi adesso qui qua lì là
# Parole di riempimento
sì ok grazie prego ecc
)";

constexpr std::string_view kDutch = R"(
# Lidwoorden en aanwijzende voornaamwoorden
de het een 't deze dit die dat
# Voornaamwoorden
ik mij me mijn jij je jou jouw u uw hij hem zijn zij ze haar wij we ons onze jullie hun
hen =men zich zelf
wie wat welke welk waar wanneer hoe waarom waarin waarop waarmee waarvan
# Voorzetsels
aan achter bij door in =langs =met na naar naast om onder op =over per sinds tegen tot
te tussen uit van via voor zonder
# Voegwoorden
en of maar want dus omdat als dan toen terwijl hoewel tenzij zodat noch
# Hulpwerkwoorden en modale werkwoorden
ben bent is was waren geweest wees
hebben heb hebt heeft had hadden gehad
worden word wordt werd werden geworden
kunnen =kan kun kunt kon konden zullen =zal zult zou zouden
moeten moet moest moesten willen wil wilt =wilde =wilden mogen mag mocht
# Ontkenning (zie de opmerking bovenaan)
niet niets nooit geen niemand
# Bijwoorden en hoeveelheidswoorden
heel erg zeer ook nog al alleen toch wel even echt meer meest minder veel weinig =vaak
soms altijd weer nu hier daar er zo eens alle alles elke ieder iedere iets andere ander
beide sommige enkele
# Opvulwoorden
ja nee graag bedankt dank ok aub etc
)";

constexpr std::string_view kSwedish = R"(
# Artiklar, pronomen och frågeord
en ett den det de dessa denna detta
jag mig min =mitt mina du dig din ditt dina han honom hans hon henne hennes vi oss vår
vårt våra ni er ert era dem deras sig sin =sitt sina man
som vad vem vilken vilket vilka =var när hur varför
# Prepositioner och konjunktioner
i på av för med till från om under över efter före =mot utan hos genom vid =bland
och eller men att så eftersom =fast medan
# Hjälpverb
är =vara varit blir blev bli blivit har hade haft ha kan =kunde ska skulle =vill =ville
måste får fick
# Negation
=inte ingen inget inga aldrig ingenting
# Adverb och kvantorer
mycket också =bara redan nu här där då sedan alltid ofta igen mer mest mindre =lite alla
allt andra annan annat varje någon något några samma
ja nej tack
)";

constexpr std::string_view kDanish = R"(
# Artikler, pronominer og spørgeord
en et den det de denne dette disse
jeg mig min mit mine du dig din dit dine han =ham hans hun hende hendes vi os vores
jer jeres dem deres sig sin sit sine man
=som hvad hvem hvilken hvilket hvilke hvor hvornår hvordan hvorfor
# Præpositioner og konjunktioner
i på af =for med til fra om under over efter =før =mod uden hos gennem ved blandt
og eller men at så fordi hvis mens selvom
# Hjælpeverber
er =var =være =været bliver blev blive blevet har havde haft =have kan kunne skal skulle
=vil =ville må måtte får fik
# Nægtelse
ikke ingen intet aldrig ingenting
# Adverbier og kvantorer
meget også =bare kun allerede nu =her der da altid ofte igen mere =mest mindre lidt alle
alt andre anden andet hver nogen noget nogle samme
ja nej tak
)";

constexpr std::string_view kNorwegian = R"(
# Artikler, pronomen og spørreord (bokmål)
en et ei den det de denne dette disse
jeg meg min mitt mine du deg din ditt dine han ham hans hun henne hennes vi oss vår
vårt våre dere deres dem seg sin =sitt sine man
som hva hvem hvilken hvilket hvilke hvor når hvordan hvorfor
# Preposisjoner og konjunksjoner
i på av =for med til fra om under =over etter før =mot uten hos gjennom ved blant
og eller men at så fordi hvis mens selv
# Hjelpeverb
er =var være vært blir ble bli blitt har hadde hatt ha kan kunne =skal skulle =vil =ville
må måtte får fikk
# Nektelse
ikke ingen intet aldri ingenting
# Adverb og kvantorer
mye også =bare kun allerede nå =her der da alltid ofte igjen mer =mest mindre litt alle
alt andre annen annet hver noen noe samme
ja nei takk
)";

constexpr std::string_view kFinnish = R"(
# Pronominit ja kysymyssanat
minä sinä hän me te he se ne tämä tuo nämä nuo
minun sinun hänen meidän teidän heidän sen niiden tämän tuon
minua sinua häntä meitä teitä heitä sitä niitä tätä
mikä mitä kuka ketkä joka jotka missä mistä mihin milloin miten miksi kuinka
# Konjunktiot
ja tai mutta että koska kun jos vaikka sekä eli
# Apuverbit
olla olen olet on olemme olette ovat oli olivat ollut olisi ole
# Kielto
ei en et emme ette eivät eikä
# Adverbit ja kvanttorit
hyvin myös vain jo nyt täällä siellä aina usein taas enemmän vähemmän vähän paljon
kaikki jokainen joku jokin muu muut sama
kyllä kiitos
)";

constexpr std::string_view kRussian = R"(
# Местоимения
я меня мне мной мой моя моё мое мои ты тебя тебе тобой твой твоя твоё твое твои
он его ему им нём нем она её ее ей ней оно мы нас нам нами наш наша наше наши
вы вас вам вами ваш ваша ваше ваши они их ими них себя себе свой своя своё свое свои
этот эта это эти тот та то те такой такая такое такие весь вся всё все
кто что какой какая какое какие который которая которое которые
где куда откуда когда как почему зачем сколько
# Предлоги
в во на с со к ко у о об от до из за по под над при про для без через между перед
после около
# Союзы и частицы
и а но или да же ли чтобы если потому так хотя тоже также либо
# Вспомогательные глаголы
быть есть был была было были будет будут буду
# Отрицание
не ни нет ничего никто никогда
# Наречия и кванторы
очень ещё еще уже только даже тут здесь там теперь сейчас всегда часто опять снова
больше меньше много мало немного
спасибо пожалуйста
)";

constexpr std::string_view kChinese = R"(
# 助词
的 地 得 了 着 过 吗 呢 吧 啊 呀 嘛 哦
# 代词
我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 自己 大家
这 那 这个 那个 这些 那些 这里 那里 这样 那样 什么 怎么 怎样 哪 哪个 哪里 谁 为什么
# 介词
在 从 向 对 对于 关于 给 被 把 让 跟 和 与 及 以 为 为了 由 于 按 按照 比
# 连词
而 并 并且 或 或者 还是 但 但是 可是 不过 然后 所以 因为 如果 虽然 而且 就是 只是
# 系词、助动词、副词
是 有 没 没有 不 别 会 能 可以 要 应该 就 都 也 还 又 再 才 很 太 更 最 非常 比较 已经
一直 总是 一些 一点 一个 一下 等 等等
)";

constexpr std::string_view kJapanese = R"(
# 助詞
の は が を に へ と で や も から まで より か ね よ な ので のに けど けれど けれども しか
だけ など って
# 助動詞・補助動詞
です ます でした ました ません だ だった である でも ない なかった たい
する します した して しない いる います いた ある あります あった なる なります なった
# 代名詞・形式名詞
私 わたし 僕 ぼく 俺 あなた 彼 彼女 私たち 我々 たち これ それ あれ どれ この その あの
どの ここ そこ あそこ どこ こと もの ため よう
# 副詞・接続詞
とても もっと すごく かなり 少し ちょっと また まだ もう よく いつも そして しかし だから
それで ただ
)";

constexpr std::string_view kThai = R"(
# คำเชื่อม คำบุพบท
และ หรือ แต่ เพราะ ถ้า ว่า ที่ ซึ่ง ของ ใน บน กับ จาก ถึง โดย เพื่อ
# กริยาช่วย
ให้ ได้ จะ ก็ คือ เป็น มี อยู่ แล้ว ยัง อีก ด้วย
# ปฏิเสธ
ไม่
# คำสรรพนาม
นี้ นั้น นี่ นั่น เรา ผม ฉัน ดิฉัน คุณ เขา เธอ มัน พวกเขา พวกเรา อะไร ทำไม อย่างไร
# คำลงท้าย คำวิเศษณ์
มาก ครับ ค่ะ คะ นะ บ้าง
)";

struct entry {
  std::string_view lang;
  std::string_view text;
};

constexpr entry kLists[] = {
    {"en", kEnglish}, {"es", kSpanish}, {"fr", kFrench},  {"de", kGerman},   {"pt", kPortuguese},
    {"it", kItalian}, {"nl", kDutch},   {"sv", kSwedish}, {"da", kDanish},   {"no", kNorwegian},
    {"fi", kFinnish}, {"ru", kRussian}, {"zh", kChinese}, {"ja", kJapanese}, {"th", kThai},
};

}  // namespace

std::string_view builtin_stopword_text(std::string_view lang) noexcept {
  for (const entry& e : kLists)
    if (e.lang == lang) return e.text;
  return {};
}

}  // namespace ml::detail
