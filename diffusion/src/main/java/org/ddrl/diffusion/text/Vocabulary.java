package org.ddrl.diffusion.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.ddrl.tensor.io.AtomicFiles;

/**
 * The words a {@link WordTokenizer} knows, id = position in the list. The first three entries are always
 * the special tokens {@code <pad>} (0), {@code <unk>} (1) and {@code <cls>} (2); the file form is one word
 * per line in id order, UTF-8, so a vocabulary file reads as the table of ids.
 *
 * <p>Words are the pieces {@link #words(String)} cuts a caption into: maximal runs of letters, lower-cased
 * (digits and punctuation separate words and are dropped).
 */
public final class Vocabulary {
    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String CLS = "<cls>";
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int CLS_ID = 2;
    private static final List<String> SPECIALS = List.of(PAD, UNK, CLS);

    private final List<String> words;
    private final Map<String, Integer> ids;

    /** The specials followed by {@code words} in the given order; words must be lower-case letter runs, each once. */
    public static Vocabulary of(List<String> words) {
        List<String> all = new ArrayList<>(SPECIALS);
        all.addAll(words);
        return new Vocabulary(all, "Vocabulary.of");
    }

    private Vocabulary(List<String> all, String where) {
        for (int i = 0; i < SPECIALS.size(); i++) {
            if (all.size() <= i || !all.get(i).equals(SPECIALS.get(i))) {
                throw new IllegalArgumentException(where + ": entry " + i + " must be " + SPECIALS.get(i) + ", found "
                        + (all.size() <= i ? "the end of the list" : "\"" + all.get(i) + "\""));
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            String w = all.get(i);
            if (i >= SPECIALS.size() && !isWord(w)) {
                throw new IllegalArgumentException(where + ": entry " + i + " \"" + w + "\" is not a lower-case run of letters");
            }
            Integer before = index.putIfAbsent(w, i);
            if (before != null) throw new IllegalArgumentException(where + ": \"" + w + "\" appears twice, at ids " + before + " and " + i);
        }
        this.words = List.copyOf(all);
        this.ids = index;
    }

    private static boolean isWord(String w) {
        return !w.isEmpty() && w.codePoints().allMatch(Character::isLetter) && w.equals(w.toLowerCase(Locale.ROOT));
    }

    /** A caption's words: maximal runs of letters, lower-cased; everything else separates them. */
    public static List<String> words(String caption) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        caption.codePoints().forEach(cp -> {
            if (Character.isLetter(cp)) {
                cur.appendCodePoint(cp);
            } else if (!cur.isEmpty()) {
                out.add(cur.toString().toLowerCase(Locale.ROOT));
                cur.setLength(0);
            }
        });
        if (!cur.isEmpty()) out.add(cur.toString().toLowerCase(Locale.ROOT));
        return out;
    }

    /** Every word of the captions, sorted (so the ids do not depend on caption order), after the specials. */
    public static Vocabulary build(Iterable<String> captions) {
        TreeSet<String> seen = new TreeSet<>();
        for (String c : captions) seen.addAll(words(c));
        return of(new ArrayList<>(seen));
    }

    /** Reads a file written by {@link #write}; blank lines are errors, not skipped (they would shift every id). */
    public static Vocabulary read(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) throw new IllegalArgumentException("Vocabulary.read(" + path + "): line " + (i + 1) + " is blank");
        }
        return new Vocabulary(lines, "Vocabulary.read(" + path + ")");
    }

    /**
     * Writes one word per line, replacing {@code path} atomically: the text goes to a temporary file in
     * the same directory, which is then moved over the target, so a reader never sees half a vocabulary.
     */
    public void write(Path path) throws IOException {
        AtomicFiles.writeString(path, String.join("\n", words) + "\n");
    }

    /** Number of entries, specials included. */
    public int size() {
        return words.size();
    }

    /** The id of a word, or {@link #UNK_ID} when it is not in the vocabulary. */
    public int id(String word) {
        return ids.getOrDefault(word, UNK_ID);
    }

    public boolean contains(String word) {
        return ids.containsKey(word);
    }

    public String word(int id) {
        if (id < 0 || id >= words.size()) {
            throw new IndexOutOfBoundsException("Vocabulary: id " + id + " is outside [0, " + words.size() + ")");
        }
        return words.get(id);
    }

    /** All entries in id order, specials first. */
    public List<String> entries() {
        return Collections.unmodifiableList(words);
    }
}
