"""The self-contained HTML report of a `govsim compare` folder (govsim_report.py).

page   the page: verdict, tables, differences, figures, glossary, caveats (build_report)
text   its words in English and Chinese: the reform's terms, captions, caveats
style  its one inline style sheet
"""
