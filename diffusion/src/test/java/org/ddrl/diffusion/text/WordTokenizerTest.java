package org.ddrl.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordTokenizerTest {
    private static final List<String> CAPTIONS = List.of("a red circle moving left", "a blue square moving up");
    private final WordTokenizer tok = new WordTokenizer(Vocabulary.build(CAPTIONS), 7);

    @Test
    void encodesClsThenWordsThenPadding() {
        Tokens t = tok.encode(List.of("A red square, moving up!", ""));
        assertArrayEquals(new int[] {2, 7}, t.ids().shape());
        Vocabulary v = tok.vocabulary();
        long[] expect = {
            Vocabulary.CLS_ID, v.id("a"), v.id("red"), v.id("square"), v.id("moving"), v.id("up"), Vocabulary.PAD_ID,
            Vocabulary.CLS_ID, 0, 0, 0, 0, 0, 0};
        assertArrayEquals(expect, t.ids().toLongArray());
        assertArrayEquals(new boolean[] {true, true, true, true, true, true, false, true, false, false, false, false, false, false},
                t.mask().toBooleanArray());
    }

    @Test
    void decodeRoundTripsKnownWordsAndShowsUnknownOnes() {
        Tokens t = tok.encode(CAPTIONS);
        assertEquals(CAPTIONS, tok.decode(t));
        assertEquals("a <unk> circle moving <unk>", tok.decode(tok.ids("a Green circle moving diagonally")));
        assertEquals("", tok.decode(tok.encode(List.of("")).ids().toLongArray()));
    }

    @Test
    void longCaptionsAreCutToTheMaximumLength() {
        long[] ids = tok.ids("a red circle moving left a blue square moving up");
        assertEquals(7, ids.length);
        assertEquals("a red circle moving left a", tok.decode(ids));
        assertArrayEquals(new long[] {Vocabulary.CLS_ID}, new WordTokenizer(tok.vocabulary(), 1).ids("a red circle"));
    }

    @Test
    void loadsTheVocabularyFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        tok.vocabulary().write(file);
        WordTokenizer loaded = WordTokenizer.load(file, 7);
        assertArrayEquals(tok.encode(CAPTIONS).ids().toLongArray(), loaded.encode(CAPTIONS).ids().toLongArray());
        assertThrows(IllegalArgumentException.class, () -> new WordTokenizer(tok.vocabulary(), 0));
    }
}
