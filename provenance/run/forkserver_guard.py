"""Named in `set_forkserver_preload([...])` by the worker pools: importing it in the forkserver
ties the forkserver to the process that started it, and its workers inherit SIGINT ignored
(see provenance.run.parent_death). Import it nowhere else."""

from provenance.run.parent_death import pool_worker

pool_worker()
