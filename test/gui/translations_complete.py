#!/usr/bin/env python3
"""Checks that the committed translations cover every text of the desktop app (issue 10).

Runs lupdate over the sources into temporary copies of the .ts files (the committed ones are never
written), then fails, listing them, on messages that are unfinished (new texts among them), on
vanished or obsolete ones left in the committed files, on messages that have an empty translation
or numerus form, and on translations that lose a placeholder (%1, %n) or the keyboard accelerator
(&) of their source.

Usage: translations_complete.py LUPDATE SOURCE_DIR TS_FILE... [-- LUPDATE_OPTION...]
"""
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

PLACEHOLDER = re.compile(r"%(?:\d+|n)")
# "&x" where x is not a space nor another "&" ("&&" is a literal ampersand).
ACCELERATOR = re.compile(r"&(?![&\s])")


def accelerators(text):
    return len(ACCELERATOR.findall(text.replace("&&", "")))


def problems_of(ts_file):
    root = ET.parse(ts_file).getroot()
    problems = []
    for context in root.iter("context"):
        context_name = context.findtext("name")
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            where = f"[{context_name}] {source!r}"
            translation = message.find("translation")
            if translation is None:
                problems.append(f"{where}: no translation")
                continue
            kind = translation.get("type")
            if kind in ("unfinished", "vanished", "obsolete"):
                problems.append(f"{where}: {kind}")
                continue
            if message.get("numerus") == "yes":
                forms = [form.text or "" for form in translation.iter("numerusform")]
                if len(forms) < 2 or any(not form.strip() for form in forms):
                    problems.append(f"{where}: a numerus form is missing or empty ({forms!r})")
                    continue
                # %n may be left out of a form ("une seule"), but not out of all of them.
                wanted = set(PLACEHOLDER.findall(source)) - {"%n"}
                for form in forms:
                    if set(PLACEHOLDER.findall(form)) - {"%n"} != wanted:
                        problems.append(f"{where}: placeholders differ in {form!r}")
                if "%n" in source and not any("%n" in form for form in forms):
                    problems.append(f"{where}: no form has %n")
                texts = forms
            else:
                text = translation.text or ""
                if not text.strip() and source.strip():
                    problems.append(f"{where}: empty translation")
                    continue
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                    problems.append(f"{where}: placeholders differ in {text!r}")
                texts = [text]
            if accelerators(source) == 1 and any(accelerators(text) != 1 for text in texts):
                problems.append(f"{where}: the translation lacks the accelerator (&): {texts!r}")
    return problems


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    lupdate, source_dir, rest = argv[1], argv[2], argv[3:]
    options = []
    if "--" in rest:
        split = rest.index("--")
        rest, options = rest[:split], rest[split + 1:]
    committed = [Path(ts) for ts in rest]
    failed = False
    with tempfile.TemporaryDirectory(prefix="nubo-ts-") as directory:
        copies = []
        for ts in committed:
            copy = Path(directory) / ts.name
            shutil.copyfile(ts, copy)
            copies.append(copy)
        # English (the source language) keeps only its plural forms: lupdate -pluralonly.
        english = [copy for copy in copies if copy.name.endswith("_en.ts")]
        others = [copy for copy in copies if copy not in english]
        for files, extra in ((others, []), (english, ["-pluralonly"])):
            if not files:
                continue
            run = subprocess.run([lupdate, *options, *extra, source_dir, "-ts", *map(str, files)],
                                 capture_output=True, text=True)
            print(run.stdout + run.stderr, end="")
            if run.returncode != 0:
                print(f"lupdate failed with status {run.returncode}")
                return 1
        for ts, copy in zip(committed, copies):
            # lupdate -no-obsolete drops them from the copy: look for them in the committed file.
            stale = [f"[{context.findtext('name')}] {message.findtext('source')!r}: "
                     f"{message.find('translation').get('type')} (refresh the file to drop it)"
                     for context in ET.parse(ts).getroot().iter("context")
                     for message in context.iter("message")
                     if message.find("translation") is not None
                     and message.find("translation").get("type") in ("vanished", "obsolete")]
            problems = stale + problems_of(copy)
            messages = sum(1 for _ in ET.parse(copy).getroot().iter("message"))
            if problems:
                failed = True
                print(f"{ts}: {len(problems)} of {messages} messages need work "
                      f"(refresh with the target nubo_gui_lupdate, then translate them):")
                for problem in problems:
                    print(f"  {problem}")
            else:
                print(f"{ts}: all {messages} messages translated")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
