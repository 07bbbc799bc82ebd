/**
 * The HTML of a calendar page's lists of occurrences (see PageLists), by index. A `.data` request's
 * page data carries them; a document's hydration data does not (markupOnly in the loader), so at
 * hydration they are read back from the server's markup, once per page data.
 */
const fromThePage = new WeakMap<object, readonly string[]>();

export function listsOf(data: { lists?: readonly string[] }): readonly string[] {
  if (data.lists) return data.lists;
  let lists = fromThePage.get(data);
  if (!lists) {
    const read: string[] = [];
    for (const list of document.querySelectorAll<HTMLElement>(".calendar [data-list]")) {
      read[Number(list.dataset.list)] = list.innerHTML;
    }
    lists = read;
    fromThePage.set(data, lists);
  }
  return lists;
}
