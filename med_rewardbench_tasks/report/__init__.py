"""``med-rewardbench report``: what a judge got right and wrong, as tables, figures and a browsable page.

Reads the results and samples logs lmms-eval wrote (``--log_samples``), recomputes every
number from the logged verdicts (so the report, ``rescore`` and lmms-eval agree by
construction) and writes into ``--out``: ``report.md``, ``report.html`` (the same tables,
the figures and a case browser, in one self-contained file), one CSV per table,
``report.xlsx`` and the figures. Where things live:

* :mod:`.command` — the command line: options, checks before the work, writing the files;
* :mod:`.evaluations` — what one judge did on one dataset (runs pooled by dataset and variant);
* :mod:`.judges` — every number about one judge (metric tables, agreement);
* :mod:`.statistics` — Cohen's kappa, balanced accuracy, judge-against-judge tests;
* :mod:`.vote` — the majority-vote judge (``--vote``);
* :mod:`.tables` — the report's tables as rows of raw values;
* :mod:`.views` — those rows formatted for people, and the explanations around them;
* :mod:`.markdown`, :mod:`.html` — the two documents; :mod:`.browser_data`, ``assets/`` — the case browser;
* :mod:`.case_data` — the cases' texts and images, read from the data the run used;
* :mod:`.spreadsheets` — CSV and XLSX, safe to open; :mod:`.figures` — matplotlib figures;
* :mod:`.workers` — the processes that read images and draw figures while the metrics are computed.

Nothing heavy is imported here: matplotlib, openpyxl and numpy load only when a report is written.
"""

from med_rewardbench_tasks.report.command import configure, run

__all__ = ["configure", "run"]
