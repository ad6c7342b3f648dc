"""{% readcache %} … {% live %} … {% endlive %} … {% endreadcache %}: a page body kept until the next
recorded change (core/readcache.py).

The view passes `readcache` (readcache.page_body(request, name)). On a hit the stored HTML is output
and the body's template is not evaluated at all (the view did not build its context either); on a
miss the body is rendered, stored under the key, and output. Either way, before output:
- each {% live %} part is rendered now, with the page's current context (what is written without an
  event, e.g. the user's failed imports): the stored body holds a marker in its place. A live part
  may not sit inside a loop of the body.
- a {% csrf_token %} inside the body was rendered with a placeholder, replaced by this request's own
  token (the stored body is never tied to one browser's CSRF cookie).
Without `readcache` in the context the body renders as if the tags were not there.
"""

from typing import Any

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from tuijin.core.readcache import CSRF_PLACEHOLDER, seconds

register = template.Library()


class LiveNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.marker = ""  # set by the enclosing ReadCacheNode

    def render(self, context: template.Context) -> str:
        return self.marker if self.marker else self.nodelist.render(context)


class ReadCacheNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist
        self.live: list[Any] = list(nodelist.get_nodes_by_type(LiveNode))
        for n, node in enumerate(self.live):
            node.marker = f"<!--tj-live-{n}-->"

    def render(self, context: Any) -> str:
        body: Any = context.get("readcache")
        html = getattr(body, "html", None)
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = self.nodelist.render(context)
            if getattr(body, "key", None) and seconds() > 0:
                cache.set(body.key, html, seconds())
        for node in self.live:
            if node.marker in html:
                html = html.replace(node.marker, node.nodelist.render(context))
        if CSRF_PLACEHOLDER in html:
            token = context.get("csrf_token")
            html = html.replace(CSRF_PLACEHOLDER, str(token) if token and token != "NOTPROVIDED" else "")
        return mark_safe(html)


@register.tag
def readcache(parser: Any, token: Any) -> template.Node:
    nodelist = parser.parse(("endreadcache",))
    parser.delete_first_token()
    return ReadCacheNode(nodelist)


@register.tag
def live(parser: Any, token: Any) -> template.Node:
    nodelist = parser.parse(("endlive",))
    parser.delete_first_token()
    return LiveNode(nodelist)
