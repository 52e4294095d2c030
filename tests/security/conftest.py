def pytest_terminal_summary(terminalreporter):
    from tests.security.test_permission_matrix import CASES, MATRIX_SIZE

    if not MATRIX_SIZE:
        return
    surfaces = {case.surface for case in CASES}
    per_role = max(MATRIX_SIZE.values())
    terminalreporter.write_line(
        f"permission matrix: {len(MATRIX_SIZE)} roles × {per_role} cases "
        f"({len(CASES)} actions on {len(surfaces)} surfaces × own/other department) "
        f"= {sum(MATRIX_SIZE.values())} checked outcomes"
    )
