#!/bin/bash -eu
# ClusterFuzzLite: the same build as OSS-Fuzz.
exec "$SRC/libpt/fuzz/oss-fuzz/build.sh"
