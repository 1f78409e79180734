# Sourced by the threads cases: same TOOL ARGS... runs TOOL ARGS with
# -j 1, then -j 2 and -j 7, and says whether standard output, standard
# error and the exit status of each are those of -j 1 (the reference:
# one thread reads the records in order). The -j 1 output must not be
# empty, so that no comparison is one of nothing. With IN set, each run
# reads standard input from the file IN.
same() {
	"$@" -j 1 <"${IN:-/dev/null}" >ref.out 2>ref.err
	echo $? >ref.rc
	if [ ! -s ref.out ] && [ ! -s ref.err ]; then
		echo "$1: NO OUTPUT"
		return
	fi
	for j in 2 7; do
		"$@" -j "$j" <"${IN:-/dev/null}" >got.out 2>got.err
		echo $? >got.rc
		if cmp -s ref.out got.out && cmp -s ref.err got.err &&
			cmp -s ref.rc got.rc; then
			echo "$1 -j $j: same (exit $(cat ref.rc))"
		else
			echo "$1 -j $j: DIFFERENT"
		fi
	done
}
