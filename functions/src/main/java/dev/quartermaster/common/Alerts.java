package dev.quartermaster.common;

/** Where alerts go: SNS in AWS, a file or a list locally. */
public interface Alerts {
    void publish(Alert alert);
}
