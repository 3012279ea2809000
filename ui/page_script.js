// The page script (ui/style.py fills in its Dutch words): a Dutch page for screen readers where
// Streamlit has no option (lang, its own aria-labels and texts), a skip link to the question field, the
// `[n]` links that open their source card, the copy button, the answer folded on a phone, and the start
// screen shown from its top.
(() => {
  if (window.__samenwerkingsassistent) return;
  window.__samenwerkingsassistent = true;
  const words = __WORDS__;
  const patterns = __PATTERNS__.map(([source, dutch]) => [new RegExp(source), dutch]);
  const page = __PAGE__;
  const QUESTION_FIELD = "[data-testid=stChatInputTextArea]";
  const SKIP_LINK = "[data-testid=stSkipToContent]";
  // Questions, answers and documents stay as written, even a question that is just "Open".
  const WRITTEN_TEXT = "[data-testid=stChatMessage] [data-testid=stMarkdownContainer], .bron-passage";
  const LABELLED = ["aria-label", "title"];

  const translate = (text) => {
    if (text in words) return words[text];
    const found = patterns.find(([pattern]) => pattern.test(text));
    return found ? text.replace(found[0], found[1]) : text;
  };
  const dutch = (root) => {
    if (document.documentElement.lang !== "nl") document.documentElement.lang = "nl";
    root.querySelectorAll(LABELLED.map((name) => `[${name}]`).join(",")).forEach((el) => {
      LABELLED.forEach((name) => {
        const label = el.getAttribute(name);
        if (label === null) return;
        const dutchLabel = translate(label);
        if (dutchLabel !== label) el.setAttribute(name, dutchLabel);
      });
    });
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const dutchText = translate(node.nodeValue);
      if (dutchText !== node.nodeValue && !node.parentElement.closest(WRITTEN_TEXT)) node.nodeValue = dutchText;
    }
    nameSkipLink();
  };
  // Streamlit's skip link goes to the main block; here it goes to the question field, where there is one
  // (named again when it gets focus: the page may have changed since the last mutation seen).
  const nameSkipLink = () => {
    const skip = document.querySelector(SKIP_LINK);
    if (!skip || !skip.firstChild) return;
    const wanted = document.querySelector(QUESTION_FIELD) ? page.skipToQuestion : page.skipToContent;
    if (skip.firstChild.nodeValue !== wanted) skip.firstChild.nodeValue = wanted;
  };
  document.addEventListener("focusin", (event) => { if (event.target.matches(SKIP_LINK)) nameSkipLink(); });

  // Streamlit keeps a chat scrolled to its end; on a phone that hides the title of the start screen.
  // The start screen (examples, no messages yet) is shown from its top, once per page load.
  let shownFromTop = false;
  const startAtTop = () => {
    const title = document.querySelector("h1");
    if (shownFromTop || !title || document.querySelector("[data-testid=stChatMessage]")
        || !document.querySelector(".st-key-example-0")) return;
    shownFromTop = true;
    // Held for three seconds (the page is still being drawn), unless the reader moves first.
    let held = true;
    const release = () => { held = false; };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach((kind) => window.addEventListener(kind, release, {once: true}));
    const hold = setInterval(() => { if (held) title.scrollIntoView({block: "start"}); }, 200);
    setTimeout(() => clearInterval(hold), 3000);
  };
  // A document opened from a source card shows the cited passage (ui/document_view.py), once per opening.
  const showCited = () => {
    const cited = document.querySelector("[role=dialog] .bron-passage.geciteerd:not([data-getoond])");
    if (!cited) return;
    cited.dataset.getoond = "ja";
    cited.scrollIntoView({block: "start"});
  };
  dutch(document.body);
  new MutationObserver(() => { dutch(document.body); startAtTop(); showCited(); })
    .observe(document.body, {childList: true, subtree: true, attributes: true, attributeFilter: LABELLED});

  document.addEventListener("click", (event) => {
    const skip = event.target.closest(SKIP_LINK);
    if (skip) {
      const field = document.querySelector(QUESTION_FIELD);
      if (!field) return;  // Streamlit's own handler focuses the main block
      event.preventDefault();
      event.stopPropagation();
      field.focus();
      return;
    }
    const copy = event.target.closest("button.kopieer");
    if (copy) {
      const label = copy.textContent;
      navigator.clipboard.writeText(copy.dataset.tekst).then(() => {
        copy.textContent = copy.dataset.klaar;
        setTimeout(() => { copy.textContent = label; }, 2000);
      });
      return;
    }
    const unfold = event.target.closest("button.lees-verder");
    if (unfold) {
      const answer = unfold.closest("[class*='st-key-antwoord-']");
      const open = answer.dataset.heel !== "ja";
      answer.dataset.heel = open ? "ja" : "nee";
      unfold.setAttribute("aria-expanded", String(open));
      unfold.textContent = open ? unfold.dataset.minder : unfold.dataset.meer;
      return;
    }
    const link = event.target.closest('a[href^="#bron-"]');
    if (!link) return;
    event.preventDefault();
    const card = document.querySelector(".st-key-" + link.getAttribute("href").slice(1));
    if (!card) return;
    const details = card.querySelector("details");
    if (details && !details.open) details.querySelector("summary").click();
    card.scrollIntoView({behavior: "smooth", block: "start"});
  }, true);
})();
