"""Zoom's error answers, as the fake's handlers raise them."""


class ZoomError(Exception):
    """An error answer in Zoom's {"code", "message"} shape."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code, self.message = http_status, code, message
