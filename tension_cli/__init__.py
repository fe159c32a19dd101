"""The ``tension`` command: the layer of applications on top of the engine.

    tension score "Russian forces shelled Kharkiv overnight, Kyiv said."
    tension score --input articles.jsonl --output results.jsonl
    tension bulk --input 'archive/*.jsonl.gz' --output results/      # Dask: pip install 'tension-scoring[bulk]'
    tension store stats                                              # pip install 'tension-scoring[store]'
    tension train / tension evaluate                                 # the training scripts

Modules: ``main`` (the command and its subcommands), ``score`` (one text, or JSON-lines
files), ``lines`` (JSON-lines streaming shared by score, bulk and the store backfill),
``bulk`` (archives on Dask), ``store`` (the article store's commands), ``common`` (model
loading and argument types).

Layers, each importing only from those below it (``tests/test_layers.py`` checks it):
``app.py``, ``service/`` (HTTP) and ``tension_cli/`` (command line) on top; ``store/`` (the
article store) and ``training/`` (corpus, training, evaluation) in the middle; ``scoring/``
(the engine) at the bottom.
"""
