"""Small widgets shared by several pages (status badge, sidebar, count card)."""
