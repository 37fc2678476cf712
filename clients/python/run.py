"""Runs the boto3 suite and reports it per operation of the service model.

Each test is named test_<Operation>; an operation passes when its test
passes. The report is one line per operation and a final
"N passed, N failed". Any 5xx answer seen by any test (other than the
modelled 503 ServiceUnavailableException) fails the run, whatever the tests
expected. Exit status 0 only when every
operation of the model passed.

    CHIMED_ENDPOINT=http://127.0.0.1:8080 python3 clients/python/run.py [-v]
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "api", "chime-2018-05-01.model.json")


class OperationResult(unittest.TextTestResult):
    """Keeps each test's outcome by operation name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def _record(self, test, outcome, detail=""):
        name = test._testMethodName if hasattr(test, "_testMethodName") else str(test)
        self.outcomes[name.removeprefix("test_")] = (outcome, detail)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "FAIL", self._exc_info_to_string(err, test).strip().splitlines()[-1])

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "FAIL", self._exc_info_to_string(err, test).strip().splitlines()[-1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "FAIL", "skipped: " + reason)


def main():
    sys.dont_write_bytecode = True  # no __pycache__ left in the tree
    sys.path.insert(0, HERE)
    import harness  # after the path is set: the test modules import it too

    with open(MODEL) as f:
        operations = sorted(json.load(f)["operations"])
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    runner = unittest.TextTestRunner(resultclass=OperationResult, verbosity=verbosity, stream=sys.stderr)
    result = runner.run(suite)

    extra = sorted(set(result.outcomes) - set(operations))
    passed = failed = 0
    print(f"\nboto3 {__import__('boto3').__version__} / botocore {__import__('botocore').__version__}")
    for op in operations:
        outcome, detail = result.outcomes.get(op, ("FAIL", "no test"))
        if outcome == "pass":
            passed += 1
        else:
            failed += 1
        print(f"{op:46} {outcome}{'  ' + detail if detail else ''}")
    for name in extra:
        print(f"test_{name} is not named after an operation of the model")
    for failure in harness.server_failures:
        print(f"server failure: {failure}")
    print(f"{passed} passed, {failed} failed")
    ok = failed == 0 and not extra and not harness.server_failures and result.wasSuccessful()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
