// A shared library that is not a policy plugin: no entry point.
extern "C" int rwttt_something_else() { return 7; }
