-- Workers in scope with personal data (mask with caremap.masking before showing): role, district_code, place, name, phone, status, tenure to the data date, training, certificate; $district, $street nullable.
with
data_date as (
    select coalesce(try_cast(max(value) as date), current_date) as on_date
    from meta
    where key = 'data_date'
),

final as (
    select
        w.id,
        w.role,
        w.district_code,
        d.name as district_name,
        s.name as street_name,
        c.name as community_name,
        w.name,
        w.phone,
        w.status,
        w.appointed_on,
        round(date_diff('day', w.appointed_on, dd.on_date) / 365.25, 1) as tenure_years,
        w.training_hours,
        w.certificate
    from worker as w
    cross join data_date as dd
    left join district as d on w.district_code = d.code
    left join street as s on w.street_code = s.code
    left join community as c on w.community_code = c.code
    where ($district is null or w.district_code = $district)
        and ($street is null or w.street_code = $street)
)

select * from final
order by id
