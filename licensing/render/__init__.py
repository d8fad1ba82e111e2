"""Renderers: verdicts, scans, the library, pinning-case results and matrices
laid out for people (text, markdown) and for tools (SARIF).

Nothing here decides anything or writes English of its own beyond layout;
sentences come from `licensing.wording`, values from the verdict models.

- `text`: a verdict as plain text (`licet check`), pinning-case results, matrices;
- `library`: `licet licenses`, `licet show`, `licet vocabulary`;
- `scan`: a scan report as text, JSON, SARIF 2.1.0 and markdown;
- `markdown`: a verdict as a pull-request comment (`licet check --format markdown`);
- `lineage`: the graph of a question, and its Mermaid text (markdown and the web page).
"""
