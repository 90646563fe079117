package org.ddrl.diffusion.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** What a moving-shapes video shows: one object of a colour and a shape, moving in a direction. */
public record Attributes(Colour colour, Shape shape, Direction direction) {
    public Attributes {
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(direction, "direction");
    }

    /** The caption, e.g. "a red circle moving left" ("an" before a vowel: "an orange cross moving up"). */
    public String caption() {
        return article(colour) + " " + colour.word() + " " + shape.word() + " moving " + direction.word();
    }

    /** The attributes a caption of {@link #caption()}'s form names; throws for any other text. */
    public static Attributes parse(String caption) {
        Attributes a = tryParse(caption);
        if (a != null) return a;
        throw new IllegalArgumentException("Attributes.parse: '" + caption + "' is not a moving-shapes caption of the form "
                + "'a <colour> <shape> moving <direction>' with colour in " + words(Colour.values()) + ", shape in "
                + words(Shape.values()) + ", direction in " + words(Direction.values()));
    }

    /** The attributes a caption of {@link #caption()}'s form names, or null when the text is not such a caption. */
    public static Attributes tryParse(String caption) {
        String[] w = caption.trim().split("\\s+");
        if (w.length != 5 || !w[3].equals("moving")) return null;
        Colour c = Colour.fromWord(w[1]);
        Shape s = Shape.fromWord(w[2]);
        Direction d = Direction.fromWord(w[4]);
        return c != null && s != null && d != null && w[0].equals(article(c)) ? new Attributes(c, s, d) : null;
    }

    /** Every colour-shape-direction combination, colours slowest, directions fastest. */
    public static List<Attributes> all() {
        List<Attributes> out = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                for (Direction d : Direction.values()) out.add(new Attributes(c, s, d));
            }
        }
        return List.copyOf(out);
    }

    /** Every word any caption uses, in a fixed order: the vocabulary of a word tokenizer. */
    public static List<String> vocabulary() {
        Set<String> words = new LinkedHashSet<>(List.of("a", "an", "moving"));
        for (Colour c : Colour.values()) words.add(c.word());
        for (Shape s : Shape.values()) words.add(s.word());
        for (Direction d : Direction.values()) words.add(d.word());
        return List.copyOf(words);
    }

    private static String article(Colour c) {
        return "aeiou".indexOf(c.word().charAt(0)) >= 0 ? "an" : "a";
    }

    private static List<String> words(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }
}
