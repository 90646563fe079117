package org.ddrl.diffusion.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
    @TempDir
    Path dir;

    @Test
    void captionsSplitIntoLowerCaseLetterRuns() {
        assertEquals(List.of("a", "red", "circle", "moving", "left"), Vocabulary.words("A red circle, moving LEFT."));
        assertEquals(List.of("two", "blue", "squares", "déjà", "vu"), Vocabulary.words("two-blue 2squares!! Déjà_vu 42"));
        assertEquals(List.of(), Vocabulary.words(" ,.;123 "));
    }

    @Test
    void builtVocabularyHasTheSpecialsFirstThenSortedWords() {
        Vocabulary v = Vocabulary.build(List.of("a red circle moving left", "A Blue circle moving up"));
        assertEquals(List.of("<pad>", "<unk>", "<cls>", "a", "blue", "circle", "left", "moving", "red", "up"), v.entries());
        assertEquals(Vocabulary.PAD_ID, v.id("<pad>"));
        assertEquals(Vocabulary.CLS_ID, v.id("<cls>"));
        assertEquals(8, v.id("red"));
        assertEquals(Vocabulary.UNK_ID, v.id("green"));
        assertEquals("up", v.word(9));
        assertThrows(IndexOutOfBoundsException.class, () -> v.word(10));
    }

    @Test
    void fileRoundTripAndAtomicReplacement() throws IOException {
        Path file = dir.resolve("vocab.txt");
        Vocabulary first = Vocabulary.build(List.of("a red square"));
        first.write(file);
        assertEquals(first.entries(), Files.readAllLines(file, StandardCharsets.UTF_8));
        Vocabulary second = Vocabulary.build(List.of("a green triangle moving down"));
        second.write(file);
        assertEquals(second.entries(), Vocabulary.read(file).entries());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "the temporary file must not be left behind");
        }
    }

    @Test
    void malformedFilesAreRejectedWithTheLine() throws IOException {
        Path noSpecials = dir.resolve("a.txt");
        Files.write(noSpecials, List.of("red", "green"));
        var e1 = assertThrows(IllegalArgumentException.class, () -> Vocabulary.read(noSpecials));
        assertTrue(e1.getMessage().contains("entry 0 must be <pad>"), e1.getMessage());
        Path twice = dir.resolve("b.txt");
        Files.write(twice, List.of("<pad>", "<unk>", "<cls>", "red", "blue", "red"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> Vocabulary.read(twice));
        assertTrue(e2.getMessage().contains("\"red\" appears twice, at ids 3 and 5"), e2.getMessage());
        Path blank = dir.resolve("c.txt");
        Files.write(blank, List.of("<pad>", "<unk>", "<cls>", "", "red"));
        var e3 = assertThrows(IllegalArgumentException.class, () -> Vocabulary.read(blank));
        assertTrue(e3.getMessage().contains("line 4 is blank"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("Red")));
        assertTrue(e4.getMessage().contains("\"Red\" is not a lower-case run of letters"), e4.getMessage());
        assertFalse(Vocabulary.of(List.of("red")).contains("blue"));
    }
}
