"""Sphinx configuration of the course's website (built by ``nnlib site``; see ``site/README.md``).

One configuration serves both editions. ``nnlib site`` stages each edition's pages into a folder of
its own and builds it with this file, passing the edition's language as ``-D language=...``;
everything else is read from the environment variables that ``nnlib.course.site`` sets.
"""

import os

project = "From a Neuron to MNIST"
author = "The From a Neuron to MNIST authors"
copyright = "the course authors; MNIST: Yann LeCun and Corinna Cortes (CC BY-SA 3.0)"

extensions = ["myst_nb", "nnlib.course.site_extension"]
language = "en"

# Pages are MyST Markdown; chapters are Jupytext-paired notebooks, executed by myst-nb.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ["NNLIB_SITE_CACHE"]
nb_execution_timeout = 1800
nb_execution_raise_on_error = True
nb_execution_excludepatterns = ["exercises/*"]  # learners' versions are shown, never run
nb_merge_streams = True
# The explorers show their static PNG on the web: no widget manager is loaded from a CDN.
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]

# chapters/listings holds files that chapter 09 prints, not pages.
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "chapters/listings"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.xref_missing"]

# MathJax 3 from the PyPI package django-static-mathjax, the part a browser needs (staged by
# nnlib.course.site.stage_mathjax), copied into _static: no request leaves the site.
html_static_path = [os.environ["NNLIB_SITE_MATHJAX"]]
mathjax_path = "mathjax/tex-mml-chtml.js"

html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,  # the page's own notebook link is added by the extension
    "search_bar_text": "Search the course...",
}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
