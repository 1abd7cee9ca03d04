from source_zoom.source import SourceZoom

__all__ = ["SourceZoom"]
