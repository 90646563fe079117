package org.ddrl.diffusion.data;

/** The direction an object moves, in image coordinates: x to the right, y down (so up is negative y). */
public enum Direction {
    LEFT("left", -1, 0),
    RIGHT("right", 1, 0),
    UP("up", 0, -1),
    DOWN("down", 0, 1);

    private final String word;
    private final int dx, dy;

    Direction(String word, int dx, int dy) {
        this.word = word;
        this.dx = dx;
        this.dy = dy;
    }

    public String word() {
        return word;
    }

    /** Unit step along x (columns). */
    public int dx() {
        return dx;
    }

    /** Unit step along y (rows, down positive). */
    public int dy() {
        return dy;
    }

    public static Direction fromWord(String word) {
        for (Direction d : values()) if (d.word.equals(word)) return d;
        return null;
    }
}
