"""The serving lifecycle of the supplier index, one catalog per process; no web code.

- :mod:`~recommender.serving.profiles`: the profiles as search reads and shows them;
- :mod:`~recommender.serving.catalog`: :class:`~recommender.serving.catalog.Catalog`
  loads or builds the promoted index version, serves it, swaps in another, and
  applies saved profiles at once (``apply_saved``);
- :mod:`~recommender.serving.follower`: the per-process thread that applies the
  profile change log and swaps in versions other processes promote;
- :mod:`~recommender.serving.memory`: glibc's mmap threshold fixed, so that
  freed index temporaries leave the process;
- :mod:`~recommender.serving.rebuild`: rebuild runs, one at a time across hosts
  (a lease in the database), each recorded with its progress and outcome.

Imports go one way: ``rebuild`` → ``catalog`` → ``follower`` → ``profiles``.
"""
