package dev.quartermaster.lifecycle;

class InMemoryLifecycleHearingTest extends LifecycleHearingContract {
    private final InMemoryLifecycleHearing hearing = new InMemoryLifecycleHearing();

    @Override
    protected LifecycleHearing hearing() {
        return hearing;
    }
}
