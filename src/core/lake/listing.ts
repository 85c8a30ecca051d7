// One page of a folder listing, as the tree shows it: folders once, files with size and time.
// The Blob API's hierarchical listing (delimiter '/') answers a page with blobs and prefixes apart.
// On accounts with a hierarchical namespace (ADLS Gen2) each directory is also a blob of its own,
// empty, with metadata hdi_isfolder=true, beside the prefix of its children: the same folder twice,
// possibly on two pages, since the blob `dir` sorts before the prefix `dir/` and other names can
// sort between them (`dir-old`, `dir.txt`). Folding keeps one folder, and carries the directory
// blobs still waiting for their prefix to the next page.

/** A blob as the listing returned it. */
export interface ListedBlob {
  name: string;
  size?: number;
  lastModified?: Date;
  contentType?: string;
  /** metadata hdi_isfolder=true: a directory of a hierarchical account, not a file. */
  isDirectoryMarker?: boolean;
}

export interface LakeFolderEntry {
  kind: 'folder';
  /** The last segment: `users`. */
  name: string;
  /** From the container's root, with a trailing '/': `bronze/users/`. */
  path: string;
  /** Only a directory blob was seen (an empty directory of a hierarchical account, or its children are on a later page). */
  fromDirectoryMarker?: boolean;
}

export interface LakeFileEntry {
  kind: 'file';
  name: string;
  path: string;
  size: number;
  lastModified?: Date;
  contentType?: string;
}

export interface FoldedPage {
  folders: LakeFolderEntry[];
  files: LakeFileEntry[];
  /** Directory blobs whose prefix may still come on a later page (pass them to the next fold). */
  carry: string[];
}

/**
 * Folds one page of a listing of `folder` ('' or 'a/b/') into folders and files, each folder once
 * across pages: `carried` is the previous page's `carry`.
 */
export function foldListingPage(
  folder: string,
  blobs: readonly ListedBlob[],
  prefixes: readonly string[],
  carried: readonly string[] = [],
): FoldedPage {
  const prefixSet = new Set(prefixes);
  const alreadyShown = new Set(carried);
  const folders: LakeFolderEntry[] = [];
  const files: LakeFileEntry[] = [];
  const markers: string[] = [];
  let last = '';
  for (const blob of blobs) {
    if (blob.name > last) last = blob.name;
    if (blob.name === folder) continue; // a flat account's "folder/" placeholder blob listed in itself
    if (blob.isDirectoryMarker) {
      markers.push(`${blob.name}/`);
      continue;
    }
    files.push({
      kind: 'file',
      name: blob.name.slice(folder.length),
      path: blob.name,
      size: blob.size ?? 0,
      ...(blob.lastModified ? { lastModified: blob.lastModified } : {}),
      ...(blob.contentType ? { contentType: blob.contentType } : {}),
    });
  }
  for (const prefix of prefixes) {
    if (prefix > last) last = prefix;
    if (alreadyShown.has(prefix)) continue;
    folders.push(folderEntry(folder, prefix, false));
  }
  // Carry the directory blobs whose prefix can still come: it sorts after this page's last name.
  const carry = new Set<string>();
  for (const marker of markers) {
    if (prefixSet.has(marker)) continue; // its prefix is on this page: listed there
    if (!alreadyShown.has(marker)) folders.push(folderEntry(folder, marker, true));
    if (marker > last) carry.add(marker);
  }
  for (const marker of carried) if (!prefixSet.has(marker) && marker > last) carry.add(marker);
  folders.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { folders, files, carry: [...carry] };
}

function folderEntry(folder: string, path: string, fromDirectoryMarker: boolean): LakeFolderEntry {
  const name = path.slice(folder.length).replace(/\/$/, '');
  return { kind: 'folder', name, path, ...(fromDirectoryMarker ? { fromDirectoryMarker: true } : {}) };
}
