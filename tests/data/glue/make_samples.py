#!/usr/bin/env python3
"""make_samples.py: writes the GLUE sample files beside it, each task in its
two layouts: tsv/ as GLUE's own download has them (CoLA without a header,
MRPC's header after a UTF-8 byte order mark, MNLI's 12 train and 16 dev
columns, '"' unquoted) and jsonl/ as the Hugging Face nyu-mll/glue configs
export them (label as the class index, idx). Both hold the same examples, so
that tests/test_glue.c can check that the two readings agree. bad/ holds
malformed files, written here too. Rerun after editing: python3 make_samples.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# (text_a, text_b, label): label is the Hugging Face class index, or the
# STS-B score as GLUE writes it.
ROWS = {
    "cola": {
        "train": [
            ("Our friends won't buy this analysis, let alone the next one we propose.", None, 1),
            ("They drank the pub.", None, 0),
            ('"Fred," said Mary, "watched.', None, 1),
        ],
        "dev": [
            ("The sailors rode the breeze clear of the rocks.", None, 1),
            ("The more does Bill smoke, the more Susan hates him.", None, 0),
            ("Mary's caf\u00e9 \"is\" open.", None, 1),
            ("Who do you think that left?", None, 0),
        ],
    },
    "sst2": {
        "train": [
            ("hide new secretions from the parental units ", None, 0),
            ("contains no wit , only labored gags ", None, 0),
            ("that loves its characters and communicates something rather beautiful about human nature ", None, 1),
        ],
        "dev": [
            ("it 's a charming and often affecting journey . ", None, 1),
            ("unflinchingly bleak and desperate ", None, 0),
            ('" the emperor \'s new clothes " is a fine film . ', None, 1),
        ],
    },
    "mrpc": {
        "train": [
            ('Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .',
             'Referring to him as only " the witness " , Amrozi accused his brother of deliberately distorting his evidence .', 1),
            ("Yucaipa owned Dominick 's before selling the chain to Safeway in 1998 for $ 2.5 billion .",
             "Yucaipa bought Dominick 's in 1995 for $ 693 million and sold it to Safeway for $ 1.8 billion in 1998 .", 0),
            ("They had published an advertisement on the Internet on June 10 , offering the cargo for sale , he added .",
             "On June 10 , the ship 's owners had published an advertisement on the Internet , offering the explosives for sale .", 1),
        ],
        "dev": [
            ("He said the foodservice pie business doesn 't fit the company 's long-term growth strategy .",
             '" The foodservice pie business does not fit our long-term growth strategy .', 1),
            ("Magnarelli said Racicot hated the Iraqi regime and looked forward to using his long years of training in the war .",
             "His wife said he was \" 100 percent behind George Bush \" and looked forward to using his years of training in the war .", 0),
            ("The dollar was at 116.92 yen against the yen , flat on the session , and at 1.2891 against the Swiss franc .",
             "The dollar was at 116.78 yen JPY = , virtually flat on the session , and at 1.2871 against the Swiss franc CHF = .", 0),
        ],
    },
    "stsb": {
        "train": [
            ("A plane is taking off.", "An air plane is taking off.", "5.000"),
            ("A man is playing a large flute.", "A man is playing a flute.", "3.800"),
            ("A man is spreading shreded cheese on a pizza.", "A man is spreading shredded cheese on an uncooked pizza.", "3.800"),
            ("Three men are playing chess.", "Two men are playing chess.", "2.600"),
        ],
        "dev": [
            ("A man with a hard hat is dancing.", "A man wearing a hard hat is dancing.", "5.000"),
            ("A young child is riding a horse.", "A child is riding a horse.", "4.750"),
            ("A woman is dancing.", "A man is talking.", "0.000"),
        ],
    },
    "qqp": {
        "train": [
            ("How is the life of a math student? Could you describe your own experiences?",
             "Which level of prepration is enough for the exam jlpt5?", 0),
            ("How do I control my horny emotions?", "How do you control your horniness?", 1),
            ("What causes stool color to change to yellow?", "What can cause stool to come out as little balls?", 0),
        ],
        "dev": [
            ("Why are African-Americans so beautiful?", "Why are hispanics so beautiful?", 0),
            ("I want to pursue PhD in Computer Science about social network,what is the open problem in social networks?",
             "I handle social media for a non-profit. Should I start going to social media networking events? Are there any good ones in the bay area?", 0),
            ('What does "inner peace" mean?', 'What is meant by "inner peace"?', 1),
        ],
    },
    "mnli": {
        "train": [
            ("Conceptually cream skimming has two basic dimensions - product and geography.",
             "Product and geography are what make cream skimming work. ", 1),
            ("you know during the season and i guess at at your level uh you lose them to the next level if if they decide to recall the the parent team the Braves decide to call to recall a guy from triple A then a double A guy goes up to replace him and a single A guy goes up to replace him",
             "You lose the things to the following level if the people recall.", 0),
            ("One of our number will carry out your instructions minutely.",
             "A member of my team will execute your orders with immense precision.", 0),
            ("How do you know? All this is their information again.",
             "This information belongs to them.", 0),
            ("yeah i tell you what though if you go price some of those tennis shoes i can see why now you know they're getting up in the hundred dollar range",
             "The tennis shoes have only one price.", 2),
        ],
        "dev_matched": [
            ("The new rights are nice enough", "Everyone really likes the newest benefits ", 1),
            ("This site includes a list of all award winners and a searchable database of Government Executive articles.",
             "The Government Executive articles housed on the website are not able to be searched.", 2),
            ('uh i don\'t know i i have mixed emotions about him uh sometimes i like him but at the same times i love to see somebody beat him',
             "I like him for the most part, but would still enjoy seeing someone beat him.", 0),
        ],
        "dev_mismatched": [
            ("Your contribution helped make it possible for us to provide our students with a quality education.",
             "Your contributions were of no help with our students' education.", 2),
            ("The answer has nothing to do with their cause, however, but with the simple fact that dictionaries are not exercises in bi-unique substitutability; in other words, if one of the senses of run is `operate' (as in She runs an engine ), the converse does not also hold.",
             "dictionaries are indeed exercises in bi-unique substitutability", 2),
            ("We serve a classic Tuscan meal that includes a Florentine terrine made with dick and chicken livers.",
             "We serve a meal of Florentine terrine.", 0),
        ],
    },
    "qnli": {
        "train": [
            ("When did the third Digimon series begin?",
             "Unlike the two seasons before it and most of the seasons that followed, Digimon Tamers takes a darker and more realistic approach to its story featuring Digimon who do not reincarnate after their deaths and more complex character development in the original Japanese.", 1),
            ("Which missile batteries often have individual launchers several kilometres from one another?",
             "When MANPADS is operated by specialists, batteries may have several dozen teams deploying separately in small sections; self-propelled air defence guns may deploy in pairs.", 1),
            ("What two things does Popper argue Tarski's theory involves in an evaluation of truth?",
             "He bases this interpretation on the fact that examples such as the one described above refer to two things: assertions and the facts to which they refer.", 0),
        ],
        "dev": [
            ("What came into force after the new constitution was herald?",
             "As of that day, the new constitution heralding the Second Republic came into force.", 0),
            ("What is the first major city in the stream of the Rhine?",
             "The most important tributaries in this area are the Ill below of Strasbourg, the Neckar in Mannheim and the Main across from Mainz.", 1),
            ("What is the minimum required if you want to teach in Canada?",
             "In most provinces a second Bachelor's Degree such as a Bachelor of Education is required to become a qualified teacher.", 1),
        ],
    },
    "rte": {
        "train": [
            ("No Weapons of Mass Destruction Found in Iraq Yet.", "Weapons of Mass Destruction Found in Iraq.", 1),
            ("A place of sorrow, after Pope John Paul II died, became a place of celebration, as Roman Catholic faithful gathered in downtown Chicago to mark the installation of new Pope Benedict XVI.",
             "Pope Benedict XVI is the new leader of the Roman Catholic Church.", 0),
            ("Herceptin was already approved to treat the sickest breast cancer patients, and the company said, Monday, it will discuss with federal regulators the possibility of prescribing the drug for more breast cancer patients.",
             "Herceptin can be used to treat breast cancer.", 0),
        ],
        "dev": [
            ("Dana Reeve, the widow of the actor Christopher Reeve, has died of lung cancer at age 44, according to the Christopher Reeve Foundation.",
             "Christopher Reeve had an accident.", 1),
            ("Yet, we now are discovering that antibiotics are losing their effectiveness against illness. Disease-causing bacteria are mutating faster than we can come up with new antibiotics to fight the new variations.",
             "Bacteria is winning the war against antibiotics.", 0),
            ('Cairo is now home to some 15 million people - a burgeoning population that produces approximately 10,000 tonnes of rubbish per day, putting an enormous strain on public services. In the past 10 years, the government has tried hard to encourage private investment in the refuse sector, but some estimate 4,000 tonnes of waste is left behind every day, festering in the heat as it waits for someone to clear it up. It is often the people in the poorest neighbourhoods that are worst affected. But in some areas they are fighting back. In Shubra, one of the northern districts of the city, the residents have taken to the streets armed with dustpans and brushes to clean up public areas which have been used as public dumps.',
             '15 million tonnes of rubbish are produced daily in Cairo.', 1),
        ],
    },
    "wnli": {
        "train": [
            ("I stuck a pin through a carrot. When I pulled the pin out, it had a hole.", "The carrot had a hole.", 1),
            ("John couldn't see the stage with Billy in front of him because he is so short.", "John is so short.", 1),
            ("The police arrested all of the gang members. They were trying to stop the drug trade in the neighborhood.", "The police were trying to stop the drug trade in the neighborhood.", 1),
            ("Steve follows Fred's example in everything. He influences him hugely.", "Steve influences him hugely.", 0),
        ],
        "dev": [
            ("The drain is clogged with hair. It has to be cleaned.", "The hair has to be cleaned.", 0),
            ("Jane knocked on Susan's door but she did not answer.", "Susan did not answer.", 1),
            ("Beth didn't get angry with Sally, who had cut her off, because she stopped and counted to ten.", "Sally stopped and counted to ten.", 0),
        ],
    },
}

TSV_LABELS = {
    "mnli": ["entailment", "neutral", "contradiction"],
    "qnli": ["entailment", "not_entailment"],
    "rte": ["entailment", "not_entailment"],
}

JSON_FIELDS = {
    "cola": ("sentence", None), "sst2": ("sentence", None), "mrpc": ("sentence1", "sentence2"),
    "stsb": ("sentence1", "sentence2"), "qqp": ("question1", "question2"),
    "mnli": ("premise", "hypothesis"), "qnli": ("question", "sentence"),
    "rte": ("sentence1", "sentence2"), "wnli": ("sentence1", "sentence2"),
}


def tsv_label(task, label):
    return TSV_LABELS[task][label] if task in TSV_LABELS else str(label)


def parse(text):
    """A binary parse as GLUE's MNLI files have one (words in parentheses)."""
    return "( " + " ".join(text.split()) + " )"


def tsv_lines(task, split, rows):
    if task == "cola":
        return ["%s\t%d\t%s\t%s" % ("gj04" if i % 2 == 0 else "cj99", l, "" if l else "*", a)
                for i, (a, _, l) in enumerate(rows)]
    if task == "sst2":
        return ["sentence\tlabel"] + ["%s\t%d" % (a, l) for a, _, l in rows]
    if task == "mrpc":
        return ["\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String"] + [
            "%d\t%d\t%d\t%s\t%s" % (l, 702876 + 7 * i, 702977 + 5 * i, a, b)
            for i, (a, b, l) in enumerate(rows)]
    if task == "stsb":
        return ["index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore"] + [
            "%d\tmain-captions\tMSRvid\t2012test\t%04d\tnone\tnone\t%s\t%s\t%s" % (i, i + 1, a, b, l)
            for i, (a, b, l) in enumerate(rows)]
    if task == "qqp":
        return ["id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate"] + [
            "%d\t%d\t%d\t%s\t%s\t%d" % (133273 + i, 2 * i + 1, 2 * i + 2, a, b, l)
            for i, (a, b, l) in enumerate(rows)]
    if task == "mnli":
        head = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2"
        out = []
        for i, (a, b, l) in enumerate(rows):
            lab = tsv_label(task, l)
            cols = [str(i), str(31193 + i), "%de" % (31193 + i), "government", parse(a), parse(b),
                    "(ROOT " + parse(a) + ")", "(ROOT " + parse(b) + ")", a, b]
            # train: label1, gold_label; dev: label1..label5, gold_label
            cols += [lab, lab] if split == "train" else [lab, lab, "neutral", lab, lab, lab]
            out.append("\t".join(cols))
        tail = "\tlabel1\tgold_label" if split == "train" else "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label"
        return [head + tail] + out
    first = {"qnli": "index\tquestion\tsentence\tlabel"}.get(task, "index\tsentence1\tsentence2\tlabel")
    return [first] + ["%d\t%s\t%s\t%s" % (i, a, b, tsv_label(task, l)) for i, (a, b, l) in enumerate(rows)]


def json_lines(task, rows):
    fa, fb = JSON_FIELDS[task]
    out = []
    for i, (a, b, l) in enumerate(rows):
        rec = {fa: a}
        if fb:
            rec[fb] = b
        rec["label"] = float(l) if task == "stsb" else l
        rec["idx"] = i
        out.append(json.dumps(rec))
    return out


def write(path, lines, final_newline=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + ("\n" if final_newline else ""))


def main():
    for task, splits in ROWS.items():
        for split, rows in splits.items():
            write(os.path.join(HERE, task, "tsv", split + ".tsv"), tsv_lines(task, split, rows),
                  final_newline=task != "rte")
            jname = "train" if split == "train" else split.replace("dev", "validation")
            write(os.path.join(HERE, task, "jsonl", jname + ".jsonl"), json_lines(task, rows))
    bad = os.path.join(HERE, "bad")
    rte = tsv_lines("rte", "dev", ROWS["rte"]["dev"])
    write(os.path.join(bad, "rte_columns", "dev.tsv"), rte[:2] + ["1\tonly two columns\there"] + rte[2:])
    mnli = tsv_lines("mnli", "dev", ROWS["mnli"]["dev_matched"])
    write(os.path.join(bad, "mnli_label", "dev_matched.tsv"),
          mnli[:3] + [mnli[3].rsplit("\t", 1)[0] + "\t-"])
    sst = tsv_lines("sst2", "dev", ROWS["sst2"]["dev"])
    os.makedirs(os.path.join(bad, "sst2_utf8"), exist_ok=True)
    with open(os.path.join(bad, "sst2_utf8", "dev.tsv"), "wb") as f:
        f.write(("\n".join(sst[:3]) + "\n").encode() + b"caf\xe9 au lait\t1\n")
    cola = json_lines("cola", ROWS["cola"]["dev"])
    write(os.path.join(bad, "cola_test_row", "validation.jsonl"),
          cola[:2] + ['{"sentence": "Unlabeled test sentence.", "label": -1, "idx": 2}'])
    qnli = json_lines("qnli", ROWS["qnli"]["dev"])
    write(os.path.join(bad, "qnli_json", "validation.jsonl"), qnli[:1] + ['{"question": "cut off', ] + qnli[1:])
    write(os.path.join(bad, "stsb_missing", "validation.jsonl"),
          ['{"sentence1": "A man is talking.", "label": 1.5, "idx": 0}'])
    mrpc = tsv_lines("mrpc", "dev", ROWS["mrpc"]["dev"])
    write(os.path.join(bad, "mrpc_header", "dev.tsv"),
          ["\ufeffQuality\t#1 ID\t#2 ID\t#1 String\tString 2"] + mrpc[1:])
    qqp = tsv_lines("qqp", "train", ROWS["qqp"]["train"])
    write(os.path.join(bad, "qqp_short", "train.tsv"), qqp[:2] + ["363362\t711435\tWhat is it?"] + qqp[2:])
    write(os.path.join(bad, "qqp_short", "dev.tsv"), tsv_lines("qqp", "dev", ROWS["qqp"]["dev"]))
    write(os.path.join(bad, "wnli_label", "validation.jsonl"),
          ['{"sentence1": "A.", "sentence2": "B.", "label": 2, "idx": 0}'])


if __name__ == "__main__":
    main()
