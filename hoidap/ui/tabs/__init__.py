"""The page's tabs, one module each: its components (`build`) and its events (`wire`)."""
