// A few lines of DOM building, so pages read as the markup they make. Text is always set as text, never as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on')) {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'text') {
      element.textContent = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

/** An HTML element: h('a', {href: '#/x'}, 'text', otherNode). */
export function h(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element, for the charts. */
export function s(tag, attributes, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** A table with a header row and one row per item; cells are nodes or text. */
export function table(id, headings, rows) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, headings.map((heading) => h('th', {}, heading)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell))))));
}

/** A date-time as the reader's locale shows it, or a dash. */
export function when(value) {
  return value ? new Date(value).toLocaleString() : '—';
}

/** Waits, or stops waiting when the page is left. */
export function sleep(milliseconds, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Appends children as h() takes them: nested lists flattened, null and false left out. */
export function add(element, ...children) {
  return build(element, {}, children);
}

/** Replaces an element's children, as add() takes them. */
export function put(element, ...children) {
  element.replaceChildren();
  return build(element, {}, children);
}
