"""Web pages around an article's text, as news sites serve them: for scoring extraction from HTML.

The article text comes from the corpus (``../shared/corpus``, which stays there); only the page chrome is
ours, written for this: navigation, a cookie banner, a breaking-news ticker, bylines and datelines,
figures with captions, share bars, "related" and "most read" lists (other headlines, with names in
them), newsletter and subscription boxes, in-article advertising slots, comments, footers, JSON-LD and
analytics scripts. Three layouts, chosen per article, so extraction is not tuned to one site.
"""

from __future__ import annotations

import html
import json
import re

_PARAGRAPHS = re.compile(r"\n\s*\n")

#: Other stories' headlines for "related" and "most read" boxes: names and quotes a careless extractor
#: would let into the article.
OTHER_HEADLINES = (
    "Harbour authority names Dana Whitcombe interim chief after board row",
    "'We were never told,' say tenants of Calloway Street flats",
    "Minister Oren Paske to visit flood-hit valley towns next week",
    "Rovers sign striker Tomasz Ilven on three-year deal",
    "Weather warning: gales expected across the north-west coast",
    "Opinion: why the rail timetable change will hurt commuters",
)


def paragraphs(body: str) -> list[str]:
    """The page's text blocks: every line of the text (the corpus keeps one line per block of the page it
    came from: a caption or a "Read more" line inside a paragraph was its own element there)."""
    return [line.strip() for p in _PARAGRAPHS.split(body.strip()) for line in p.splitlines() if line.strip()]


def _ps(parts: list[str]) -> str:
    return "\n".join(f"      <p>{html.escape(p)}</p>" for p in parts)


def _related(kind: str, n: int = 4, offset: int = 0) -> str:
    items = [OTHER_HEADLINES[(offset + i) % len(OTHER_HEADLINES)] for i in range(n)]
    links = "\n".join(f'        <li><a href="/news/{i}">{html.escape(h)}</a></li>' for i, h in enumerate(items))
    heading = kind.replace("-", " ").title()
    return (
        f'      <aside class="{kind}">\n        <h3>{heading}</h3>\n        <ul>\n{links}\n'
        "        </ul>\n      </aside>"
    )


def _scripts(title: str, url: str) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "url": url})
    return (
        f'  <script type="application/ld+json">{ld}</script>\n'
        "  <script>window.dataLayer=window.dataLayer||[];dataLayer.push({'event':'pageview','section':'news'});"
        "function consent(){document.cookie='consent=1';}</script>\n"
        '  <script src="https://cdn.example-ads.net/tag.js" async></script>'
    )


def _layout_broadsheet(title: str, parts: list[str], url: str) -> str:
    middle = max(1, len(parts) // 2)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)} | The Northern Ledger</title>
  <meta property="og:title" content="{html.escape(title)}">
{_scripts(title, url)}
</head>
<body>
  <div id="cookie-banner" class="consent">We use cookies to improve your experience and to show you
    personalised advertising. <button onclick="consent()">Accept all</button> <a href="/privacy">Manage
    preferences</a></div>
  <header>
    <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
      <li><a href="/business">Business</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>
    <div class="ticker">Breaking: {html.escape(OTHER_HEADLINES[2])}</div>
  </header>
  <main>
    <article>
      <h1>{html.escape(title)}</h1>
      <div class="byline">By Staff Reporter · Updated 14:32, 3 March</div>
      <div class="share">Share on Facebook · Share on X · Email this article</div>
{_ps(parts[:middle])}
      <figure><img src="/img/lead.jpg" alt=""><figcaption>The scene on Tuesday morning. Photograph: Agency
        picture desk</figcaption></figure>
{_related("related-stories", 3)}
{_ps(parts[middle:])}
      <div class="newsletter"><h4>Get the morning briefing</h4><p>Sign up to our free newsletter for the day's
        top stories, delivered at 7am.</p><form><input type="email" placeholder="Your email"><button>Sign
        up</button></form></div>
    </article>
{_related("most-read", 5, 1)}
    <section class="comments"><h3>Comments (12)</h3><p>Reader1: This has been going on for years.</p></section>
  </main>
  <footer><p>© The Northern Ledger. All rights reserved.</p><a href="/terms">Terms</a> ·
    <a href="/privacy">Privacy</a> · <a href="/contact">Contact us</a></footer>
</body>
</html>
"""


def _layout_regional(title: str, parts: list[str], url: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)} - Valley Gazette</title>
{_scripts(title, url)}
</head>
<body class="article-page">
  <div class="top-bar"><a href="/subscribe">Subscribe from £1 a week</a> · <a href="/login">Log in</a></div>
  <header class="masthead"><a href="/" class="logo">Valley Gazette</a>
    <nav class="sections"><a href="/local">Local</a> <a href="/crime">Crime</a> <a href="/politics">Politics</a>
      <a href="/what-s-on">What's on</a></nav></header>
  <div class="layout">
    <div class="content">
      <div class="breadcrumbs"><a href="/">Home</a> › <a href="/news">News</a></div>
      <h1 class="headline">{html.escape(title)}</h1>
      <p class="meta"><span class="author">Gazette reporter</span> <time>Published 3 March</time></p>
      <div class="article-body">
{_ps(parts)}
      </div>
      <div class="tags">Tags: <a href="/t/local">Local news</a> <a href="/t/council">Council</a></div>
      <div class="author-bio">Our reporters cover the valley's towns and villages. Got a story? Email
        newsdesk@valleygazette.example</div>
    </div>
    <aside class="sidebar">
{_related("most-read", 4, 2)}
      <div class="ad">ADVERTISEMENT</div>
      <div class="weather">Today: 11°C, showers</div>
    </aside>
  </div>
  <footer>Valley Gazette is part of Example Media Group. Registered in England.</footer>
</body>
</html>
"""


def _layout_portal(title: str, parts: list[str], url: str) -> str:
    chunks = []
    for n, part in enumerate(parts):
        chunks.append(f"        <p>{html.escape(part)}</p>")
        if n == 1:
            chunks.append('        <div class="inline-ad">ADVERTISEMENT</div>')
        if n == 3:
            link = f'<a href="/x">{html.escape(OTHER_HEADLINES[0])}</a>'
            chunks.append(f'        <p class="read-also"><strong>Read also:</strong> {link}</p>')
    body = "\n".join(chunks)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(title)}</title>
{_scripts(title, url)}
  <style>.paywall{{display:none}}</style>
</head>
<body>
  <div class="gdpr">This site uses cookies. By continuing to browse you agree to our use of cookies.
    <a href="/cookies">Find out more</a> <button>OK</button></div>
  <nav class="menu"><a href="/">Front page</a> | <a href="/world">World</a> | <a href="/money">Money</a> |
    <a href="/video">Video</a></nav>
  <div class="wrapper">
    <article class="story">
      <header><h1>{html.escape(title)}</h1><div class="dateline">3 March · 4 min read</div></header>
      <section class="story-body">
{body}
      </section>
      <div class="paywall">Subscribe to keep reading. Your first month is free.</div>
      <div class="social">Follow us on Facebook, Instagram and X for the latest news.</div>
    </article>
{_related("you-may-also-like", 4, 3)}
  </div>
  <footer><small>Copyright Example Portal Ltd. Reproduction without permission is prohibited.</small></footer>
</body>
</html>
"""


LAYOUTS = (_layout_broadsheet, _layout_regional, _layout_portal)


def web_page(title: str, body: str, url: str, layout: int) -> str:
    """The article (title, paragraphs separated by blank lines) on a page of layout ``layout`` (mod 3)."""
    return LAYOUTS[layout % len(LAYOUTS)](title, paragraphs(body), url)


#: Page chrome that must never reach an article's clean text (checked by the evaluation's HTML run).
CHROME_MARKERS = (
    "We use cookies",
    "Sign up to our free newsletter",
    "ADVERTISEMENT",
    "All rights reserved",
    "Subscribe from",
    "Follow us on Facebook",
    "Most Read",
    "dataLayer",
    OTHER_HEADLINES[0],
)
