"""The report's one inline style sheet: readable on a phone (tables scroll sideways in their box) and
on A4 paper (figures kept with captions, headings kept with what follows)."""

STYLE = """
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif; max-width: 1100px; margin: 0 auto;
       padding: .8em 1em 2em; color: #111; line-height: 1.45; overflow-wrap: anywhere; }
h1 { font-size: 1.45em; margin: .3em 0; } h2 { border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 1.8em; }
h3 { margin: 1.2em 0 .4em; } h4 { margin: .8em 0 .3em; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: .6em 0; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .88em; }
th, td { border: 1px solid #bbb; padding: .3em .55em; text-align: left; vertical-align: top; overflow-wrap: normal; }
thead th { background: #eee; }
tr.differs th, tr.differs td { background: #f3f3f3; border-left: 3px solid #333; }
small { color: #444; } .note { font-size: .85em; color: #333; }
.warning { border: 2px solid #D55E00; background: #fff3e8; padding: .5em .8em; font-weight: bold; }
.verdict-option { border: 1px solid #bbb; border-radius: 6px; padding: .2em .9em .5em; margin: .6em 0; }
.verdict-list { list-style: none; padding-left: 0; margin: .3em 0; }
.verdict-list li { margin: .25em 0; }
.mark { font-weight: bold; white-space: nowrap; }
.mark.better, td.better { color: #0061a0; } .mark.worse, td.worse { color: #b84700; }
.mark.unclear, .mark.no_interval { color: #555; }
.ci { color: #444; font-size: .9em; white-space: nowrap; }
.resources { font-size: .92em; margin: .3em 0; }
figure { margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; display: block; }
figcaption { font-size: .9em; color: #333; margin-top: .3em; }
dt { font-weight: bold; margin-top: .5em; } dd { margin-left: 1.2em; }
code { font-size: .9em; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
@media (max-width: 600px) { body { padding: .5em .6em; font-size: 15px; } h1 { font-size: 1.25em; } }
@page { size: A4; margin: 15mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  figure img { max-height: 235mm; width: auto; max-width: 100%; object-fit: contain; }
  section.verdict-option, tr, .warning { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
