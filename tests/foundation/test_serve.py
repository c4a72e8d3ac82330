"""``innoregion serve``'s gunicorn command line: the worker class decides threads; the timeout lets a
large import finish."""

from innoregion.cli.serve import gunicorn_args


def _value(args, flag):
    return args[args.index(flag) + 1]


def test_gthread_workers_have_threads():
    args = gunicorn_args("127.0.0.1", 8000, 2)
    assert _value(args, "--worker-class") == "gthread" and _value(args, "--threads") == "4"
    assert _value(args, "--bind") == "127.0.0.1:8000" and _value(args, "--workers") == "2"


def test_sync_workers_take_one_request_at_a_time():
    args = gunicorn_args("0.0.0.0", 9000, 3, "sync")
    assert _value(args, "--worker-class") == "sync" and "--threads" not in args
    assert int(_value(args, "--timeout")) >= 300
