-- Service points matching a search, one page ($page_size rows from $page_start; null $page_size = all) with the total: $search is a substring of name, address, category, system, district, street or community (escaped, case-insensitive) or the point is in $pinyin_ids; $category, $system, $district, $street nullable.
with
matched as (
    select
        p.id,
        p.name,
        p.category,
        c.name as category_name,
        c.name_en as category_name_en,
        c.system,
        c.color,
        d.name as district_name,
        s.name as street_name,
        m.name as community_name,
        p.address,
        p.phone,
        p.lon,
        p.lat,
        p.updated_on
    from service_point as p
    inner join service_category as c on p.category = c.code
    left join district as d on p.district_code = d.code
    left join street as s on p.street_code = s.code
    left join community as m on p.community_code = m.code
    where ($district is null or p.district_code = $district)
        and ($street is null or p.street_code = $street)
        and ($category is null or p.category = $category)
        and ($system is null or c.system = $system)
),

pattern as (
    select
        '%' || replace(replace(replace(coalesce($search, ''), '\', '\\'), '%', '\%'), '_', '\_') || '%' as like_text
),

final as (
    select
        x.*,
        count(*) over () as total
    from matched as x
    cross join pattern as q
    where coalesce($search, '') = ''
        or list_contains($pinyin_ids, x.id)
        or x.name ilike q.like_text escape '\'
        or x.address ilike q.like_text escape '\'
        or x.category_name ilike q.like_text escape '\'
        or x.category_name_en ilike q.like_text escape '\'
        or x.system ilike q.like_text escape '\'
        or x.district_name ilike q.like_text escape '\'
        or x.street_name ilike q.like_text escape '\'
        or x.community_name ilike q.like_text escape '\'
)

select * from final
order by id
limit $page_size
offset $page_start
