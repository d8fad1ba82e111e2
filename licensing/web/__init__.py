"""`licet serve`: the web page legal teams use to compose a question, see the
answer and its lineage, browse the library and file the memo.

A thin layer, as the command line is: `app` parses requests and calls the same
`Engine`, `answer` and `graph` lay out its verdict (the wording is
`licensing.render.plain`'s, the graph `licensing.render.lineage`'s), `edit`
settles open questions and applies ways out to the scenario, `sources` reads
examples, uploads and Hugging Face ids with the readers `licet scan` uses,
`catalog` describes the library. Templates, the stylesheet and the scripts
ship inside the package; nothing is fetched at run time.

Needs the `web` extra (Starlette, Jinja2, uvicorn, python-multipart,
markdown-it-py); importing `licensing` or running other commands never
imports them.
"""
