-- The coverage standards in file order (no parameters): id, level, kind, category/role/categories, max_m, labels, basis.
select
    id,
    sort_order,
    level,
    kind,
    category,
    role,
    categories,
    max_m,
    label_zh,
    label_en,
    basis
from coverage_standard
order by sort_order
