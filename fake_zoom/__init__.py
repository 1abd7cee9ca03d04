"""A fake Zoom REST API v2 server for testing the source-zoom connector.

    from fake_zoom import FakeZoomConfig, FakeZoomServer
    with FakeZoomServer(FakeZoomConfig.default()) as server:
        config = server.connector_config()
        truth = server.ground_truth(config["start_date"])
"""

from .account import build_dataset
from .config import FakeZoomConfig
from .ground_truth import TABLES, compute_ground_truth
from .server import FakeZoomServer, create_app

__all__ = ["FakeZoomConfig", "FakeZoomServer", "TABLES", "build_dataset", "compute_ground_truth", "create_app"]
