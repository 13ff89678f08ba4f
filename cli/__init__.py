"""The `orgsim` command line: one small module per command, over the library API
(`simulator`, `scenarios`, `experiments`).

    main        the parser and the one entry point (`orgsim` runs `cli.main:main`)
    exit_codes  what every exit code means
    errors      `error:` lines on stderr, tracebacks only with ORGSIM_DEBUG=1, warning filters
    options     options several commands share, and the checks of their values
    output      JSON on stdout, files written atomically, progress on stderr
    tables      the rich tables of `run` and `compare`
    run, compare, validate, scenarios, sweep (dry_run: its --dry-run text), report,
    dashboard   the commands, named by their module: each has its HELP (the line of
                `orgsim --help`), `add_arguments(parser)` and its handler
                `command(args) -> exit code`; its docstring's first paragraph is the
                description `orgsim NAME --help` shows

Nothing heavy (Mesa, pandas, NumPy, SciPy, rich, Solara, Dask) is imported at module level
anywhere here: `orgsim --help` answers at once; a command imports what it needs as it runs.
"""
