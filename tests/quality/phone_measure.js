// What runs past a phone's screen and which chart text is not visible: read by
// test_quality_phone.py and evaluated in the page (one arrow function, no globals).
({minFont, width}) => {
  // The phone's width, not innerWidth: a mobile browser widens the layout viewport (and zooms
  // out) when content overflows, which would hide the very overflow looked for.
  const slack = 0.5;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const cls = el.getAttribute("class");
    if (cls) name += "." + cls.trim().split(/\s+/).join(".");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const scrollsSideways = (el) => {
    const overflow = getComputedStyle(el).overflowX;
    return overflow === "auto" || overflow === "scroll";
  };
  const isDesignated = (el) =>
    el.getAttribute("tabindex") === "0" &&
    (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"));
  const scrollParent = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (up === document.body || up === document.documentElement) return null;
      if (scrollsSideways(up)) return up;
    }
    return null;
  };
  // Whether the scroll container clips el: an absolutely placed element escapes it unless
  // something between them (or the container itself) is positioned.
  const clippedBy = (el, container) => {
    const position = getComputedStyle(el).position;
    if (position === "fixed") return false;
    if (position !== "absolute") return true;
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).position !== "static") return up === container || container.contains(up);
      if (up === container) return false;
    }
    return false;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  const problems = [];
  const doc = document.documentElement;
  if (window.innerWidth > width) {
    problems.push(`the layout viewport grew to ${window.innerWidth} px on a ${width} px screen`);
  }
  if (doc.scrollWidth > width) {
    problems.push(`the page is ${doc.scrollWidth} px wide on a ${width} px screen`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right <= width + slack) continue;
    const container = scrollParent(el);
    if (container && isDesignated(container) && clippedBy(el, container)) continue;
    // Clipped away by a parent that hides overflow (e.g. the visually-hidden pattern).
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if ((overflow === "hidden" || overflow === "clip") &&
          up.getBoundingClientRect().right <= width + slack) { clipped = true; break; }
    }
    if (clipped) continue;
    const where = container ? ` inside ${describe(container)}, which has no tabindex="0" and name` : "";
    problems.push(`${describe(el)} ends at ${Math.round(box.right)} px${where}`);
  }
  // Scroll containers that do scroll must be reachable by keyboard and named; all of them are
  // listed, for the pages that must show everything without any (the test's NO_SIDEWAYS_SCROLL).
  const scrolling = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el) || !scrollsSideways(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      scrolling.push(describe(el).slice(0, 80));
      if (!isDesignated(el)) {
        problems.push(`${describe(el)} scrolls sideways but has no tabindex="0" and name`);
      }
    }
  }
  const charts = [];
  for (const svg of document.querySelectorAll("svg")) {
    if (!shown(svg) || !svg.querySelector("text")) continue;
    const frame = svg.closest("figure") || svg.parentElement;
    const visible = frame.getBoundingClientRect();
    let left = visible.left, right = visible.right;
    const top = visible.top, bottom = visible.bottom;
    // A chart inside a designated scroll container (a sparkline in a wide table) is seen by
    // scrolling that container: only its own frame clips it. Any other chart must show its
    // text within the screen and within every container that might scroll.
    const scroller = scrollParent(svg);
    if (!(scroller && isDesignated(scroller))) {
      left = Math.max(left, 0); right = Math.min(right, width);
      for (let up = svg.parentElement; up && up !== document.body; up = up.parentElement) {
        if (scrollsSideways(up)) {
          const box = up.getBoundingClientRect();
          left = Math.max(left, box.left); right = Math.min(right, box.right);
        }
      }
    }
    const chart = {name: describe(svg).slice(0, 60), texts: 0, outside: [], small: []};
    const scale = svg.getScreenCTM() ? svg.getScreenCTM().a : 1;
    for (const text of svg.querySelectorAll("text")) {
      if (!(text.textContent || "").trim()) continue;
      chart.texts += 1;
      const box = text.getBoundingClientRect();
      if (box.left < left - slack || box.right > right + slack ||
          box.top < top - slack || box.bottom > bottom + slack) {
        chart.outside.push(`"${text.textContent.trim()}" at ${Math.round(box.left)}..${Math.round(box.right)} px, visible ${Math.round(left)}..${Math.round(right)} px`);
      }
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < minFont) chart.small.push(`"${text.textContent.trim()}" at ${size.toFixed(1)} px`);
    }
    charts.push(chart);
  }
  return {problems, charts, scrolling};
}
