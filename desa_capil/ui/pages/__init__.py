"""The pages of the main window, one module each (plugged into the sidebar by ui.main_window)."""
