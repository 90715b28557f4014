"""`python -m caremap briefing --out FILE.pptx [--district CODE] [--pdf FILE.pdf]`: the briefing deck."""

from __future__ import annotations

import sys
from pathlib import Path

HELP = "生成汇报幻灯片（PPTX，可选 PDF） / build the briefing deck (PPTX, optionally PDF)"


def add_arguments(p) -> None:
    p.add_argument("--out", required=True, help="the .pptx file to write")
    p.add_argument("--pdf", help="also write the deck as this PDF file")
    p.add_argument("--district", help="district code, e.g. 440305 (default: whole city)")
    p.add_argument("--street", help="street code (with --district)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")


def run(args) -> int:
    from caremap.cli import export
    from caremap.report import briefing

    export.use_database(args.db)
    if error := export.scope_error(args.district, args.street):
        print(error, file=sys.stderr)
        return 2
    export.warn_if_no_cjk_font()
    deck, pptx, pdf = briefing.build(args.district, args.street, args.lang, pdf=bool(args.pdf))
    if deck.skipped:
        skipped = ", ".join(deck.skipped)
        print(f"提示 / note: 以下图表尚未提供，已跳过 / charts not registered, slides skipped: {skipped}",
              file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pptx)
    print(f"{out} ({len(deck.slides)} slides)")
    if args.pdf:
        Path(args.pdf).parent.mkdir(parents=True, exist_ok=True)
        Path(args.pdf).write_bytes(pdf)
        print(args.pdf)
    return 0
