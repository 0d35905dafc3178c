"""Site administration: the pages only site administrators reach (pending organizations)."""
