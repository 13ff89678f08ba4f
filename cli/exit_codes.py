"""The exit codes of `orgsim`: one table for every command.

0    done.
1    runs failed (a sweep records them with status `error`), a sweep's executor
     stopped, a built-in scenario is broken, or an unexpected failure: one `error:`
     line on stderr (and the traceback before it with ORGSIM_DEBUG=1).
2    bad input: a file, option or value is wrong (one `error:` line per problem);
     nothing was run or written. argparse's usage errors exit with 2 too.
130  interrupted (Ctrl+C; SIGTERM during a sweep, the same code for both: a batch
     system's stop is an interruption to resume, not a failure). A sweep first saves
     every run that finished, those of the chunks in flight too: `--resume` completes it.
141  the reader of the output went away (`orgsim compare ... | head -1`): the output
     stops quietly with the code of a process stopped by SIGPIPE (128 + 13), as `cat`
     or `yes` give; not 1, which would read as "runs failed".
"""

OK = 0
FAILED = 1
BAD_INPUT = 2
INTERRUPTED = 130
BROKEN_PIPE = 141
