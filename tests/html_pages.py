"""Invented news pages, as a scraper would fetch them: an article among navigation, a cookie banner, a
newsletter box, related links, a caption, comments and scripts. Shared by unit and integration tests."""

from __future__ import annotations

#: Sentences of the article itself: extraction must keep every one.
ARTICLE_SENTENCES = (
    "The harbour authority of Port Elvaran approved a new flood barrier on Tuesday after a year of debate.",
    '"We cannot wait for the next storm to make this decision for us," said Marta Quennell, the authority\'s chair.',
    "The barrier, a chain of steel gates across the river mouth, is expected to cost 240 million euros.",
    "Fishing cooperatives had opposed an earlier design that would have closed the harbour for two winters.",
    '"The new plan keeps the boats working while the gates go in," said Tobias Renwick of the Elvaran Fishers\' Guild.',
    "Construction is due to begin in the spring and to finish before the autumn storms of the following year.",
)

#: Strings of the page around the article: extraction must drop every one.
CHROME_STRINGS = (
    "We use cookies to improve your experience",
    "Accept all cookies",
    "Sign up for the Morning Tide newsletter",
    "Enter your email address",
    "Most read this week",
    "Ten quiet beaches for a winter walk",
    "Subscribe for unlimited access",
    "window.dataLayer",
    "Copyright 2026 The Elvaran Courier",
    "Comments are closed",
    "Share on social media",
)


def news_page(title: str = "Port Elvaran approves a flood barrier") -> str:
    """A realistic article page around ``ARTICLE_SENTENCES``."""
    p = ARTICLE_SENTENCES
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | The Elvaran Courier</title>
  <meta property="og:title" content="{title}">
  <meta name="author" content="Helena Stroud">
  <meta property="article:published_time" content="2026-03-04T09:30:00+00:00">
  <script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});</script>
  <style>.banner {{ position: fixed; bottom: 0; }}</style>
</head>
<body>
  <div class="cookie-banner" id="cookie-consent">
    <p>We use cookies to improve your experience on our site and to show you relevant advertising.</p>
    <button>Accept all cookies</button> <button>Manage preferences</button>
  </div>
  <header>
    <nav class="main-nav">
      <ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
      <li><a href="/weather">Weather</a></li><li><a href="/subscribe">Subscribe for unlimited access</a></li></ul>
    </nav>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By <span class="author">Helena Stroud</span>,
        <time datetime="2026-03-04T09:30:00Z">4 March 2026</time></p>
      <figure>
        <img src="/img/barrier.jpg" alt="">
        <figcaption>The river mouth at low tide. Photo: Courier archive</figcaption>
      </figure>
      <p>{p[0]}</p>
      <p>{p[1]}</p>
      <div class="newsletter-box">
        <h3>Sign up for the Morning Tide newsletter</h3>
        <form><input type="email" placeholder="Enter your email address"><button>Sign up</button></form>
      </div>
      <p>{p[2]} {p[3]}</p>
      <p>{p[4]}</p>
      <p>{p[5]}</p>
      <div class="share">Share on social media: <a href="#">Facebook</a> <a href="#">X</a></div>
    </article>
    <aside class="related">
      <h2>Most read this week</h2>
      <ul>
        <li><a href="/travel/beaches">Ten quiet beaches for a winter walk</a></li>
        <li><a href="/news/ferry">Ferry timetable changes from May</a></li>
        <li><a href="/news/market">Saturday market moves to the old quay</a></li>
      </ul>
    </aside>
    <section id="comments" class="comments"><p>Comments are closed for this article.</p></section>
  </main>
  <footer><p>Copyright 2026 The Elvaran Courier. All rights reserved.</p>
    <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
  <script src="/js/app.js"></script>
  <script>document.querySelectorAll('.cookie-banner button').forEach(b => b.onclick = () => b.remove());</script>
</body>
</html>
"""


def empty_page() -> str:
    """A page with no article: a consent wall and navigation only."""
    return """<!DOCTYPE html>
<html><head><title>The Elvaran Courier</title><script>var a = 1;</script></head>
<body>
  <div class="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept all cookies</button></div>
  <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
  <footer>Copyright 2026 The Elvaran Courier</footer>
</body></html>
"""
