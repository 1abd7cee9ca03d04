"""Root conftest: pytest 9 reads `pytest_plugins` only here, at the rootdir.

The CDK's standard-suite hooks add `--connector-image`, `--read-from-streams` and
`--read-scenarios`, and parametrize the suite's tests with the scenarios of
`acceptance-test-config.yml` (see integration_tests/test_standard_suite.py).
"""

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]


def pytest_collection_modifyitems(config, items):
    """The CDK parametrizes every standard test with every scenario, then skips the combinations
    acceptance-test-config.yml does not list (discover and read of the wrong-secret scenario).
    Those runs cannot exist rather than checks left out: drop them at collection, so that a skip
    in this suite always means something."""
    impossible = [
        item
        for item in items
        if "test_standard_suite.py" in item.nodeid
        and "'invalid_config'" in item.nodeid
        and ("discover" in item.name or "read" in item.name)
    ]
    if impossible:
        config.hook.pytest_deselected(items=impossible)
        items[:] = [item for item in items if item not in impossible]
