package dev.yardmaster.fleet;

/**
 * One host read from an inventory file, with the line it was written on. {@code refusal} is
 * set when the file is readable but says too little about the host (an Ansible host in no
 * environment): the import then refuses the host, not the file.
 */
record ParsedHost(int line, Inventory.HostInput input, String refusal) {

    static ParsedHost of(int line, Inventory.HostInput input) {
        return new ParsedHost(line, input, null);
    }

    String name() {
        String name = input.name() != null && !input.name().isBlank() ? input.name() : input.address();
        return name == null ? "" : name.strip();
    }
}
