"""`licet audit`: the lineage of a whole Hugging Face Hub, checked on a Dask cluster.

One row per Hub repo goes in (`table`: Parquet or JSON Lines, as the Hub's
API returns it, or built from the Hub by `hub` with `--online`); each repo's
ancestors are found over the whole table with partitioned joins (`lineage`);
each repo becomes a licet question, answered on the workers by an engine built
once per worker process, memoised by the question's shape (`check`); the
findings stream to a Parquet table, and `report` turns it into markdown with
charts. `synthetic` grows a realistic Hub, with known planted findings, for
the tests and the benchmark; `run` ties the steps to a cluster.

Dask, pandas and pyarrow (the `audit` extra) are imported only by these
modules, and the command line imports them only inside `licet audit`.
"""
