"""Root conftest: pytest 9 reads `pytest_plugins` only here, at the rootdir.

The CDK's standard-suite hooks add `--connector-image`, `--read-from-streams` and
`--read-scenarios`, and parametrize the suite's tests with the scenarios of
`acceptance-test-config.yml` (see integration_tests/test_standard_suite.py).
"""

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
