/**
 * Splits a string `command:` / `entrypoint:` into arguments as a POSIX shell does, which is what
 * Compose does with the string form: blanks separate words; single quotes keep everything
 * literally; double quotes keep everything but `\` before `$`, `` ` ``, `"`, `\` or a newline;
 * a backslash outside quotes keeps the next character. No shell runs, so `$`, `&&`, `|` and
 * `>` stay literal words. `sh -c "a b"` is three arguments: `sh`, `-c`, `a b`.
 * Throws on an unterminated quote or a trailing backslash.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' at character ${i + 1}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        const d = line.charAt(j);
        const next = line[j + 1];
        if (d === "\\" && next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== "\n") word += next;
          j++;
        } else word += d;
      }
      if (j >= line.length) throw new Error(`unterminated " at character ${i + 1}`);
      inWord = true;
      i = j;
    } else if (c === "\\") {
      const next = line[i + 1];
      if (next === undefined) throw new Error("a backslash ends the text; escape it as \\\\");
      if (next !== "\n") {
        word += next;
        inWord = true;
      }
      i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
