package org.ddrl.rl.reward;

/** A reward service failed: it could not be reached, answered with an error, or sent an answer that makes no sense. */
public final class RewardServiceException extends RuntimeException {
    public RewardServiceException(String message) {
        super(message);
    }

    public RewardServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
